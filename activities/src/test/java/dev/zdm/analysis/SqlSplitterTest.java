package dev.zdm.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.error.ZdmException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqlSplitterTest {
  private final SqlSplitter splitter = new SqlSplitter();

  private List<SqlStatement> split(String text) {
    return splitter.split("m.sql", text).statements();
  }

  @Test
  void semicolonsInsideQuotesCommentsAndDollarQuotesDoNotSplit() {
    List<SqlStatement> statements = split("""
        SELECT 'a;b', E'it\\'s;', "x;y" FROM t; /* c; /* nested; */ still; */
        CREATE FUNCTION f() RETURNS text AS $fn$ SELECT ';$$;' $fn$ LANGUAGE sql;
        SELECT 2
        """);
    assertThat(statements).extracting(SqlStatement::line).containsExactly(1, 2, 3);
    assertThat(statements.get(1).sql()).endsWith("LANGUAGE sql");
  }

  @Test
  void beginAtomicBodyStaysOneStatement() {
    List<SqlStatement> statements = split("""
        CREATE FUNCTION one() RETURNS int LANGUAGE sql
        BEGIN ATOMIC
          SELECT CASE WHEN true THEN 1 END;
          SELECT 1;
        END;
        BEGIN;
        COMMIT;
        """);
    assertThat(statements).extracting(SqlStatement::line).containsExactly(1, 6, 7);
  }

  @Test
  void metadataAppliesToFollowingStatements() {
    List<SqlStatement> statements = split("""
        -- @metadata {"batchSize": 500}
        UPDATE t SET a = 1;
        UPDATE t SET b = 2;
        """);
    assertThat(statements).allSatisfy(s -> assertThat(s.metadata()).containsEntry("batchSize", 500));
  }

  @Test
  void unterminatedQuoteIsBadInputWithFileAndLine() {
    assertThatThrownBy(() -> split("SELECT 1;\nSELECT 'oops;\n"))
        .isInstanceOf(ZdmException.class)
        .hasMessage("m.sql:2: unterminated string literal");
  }
}
