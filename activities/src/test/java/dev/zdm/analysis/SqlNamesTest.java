package dev.zdm.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** Unquoted names fold the way PostgreSQL folds them: ASCII letters only. */
class SqlNamesTest {

  @Test
  void onlyAsciiLettersAreFolded() {
    assertThat(SqlNames.normalize("Users")).isEqualTo("users");
    assertThat(SqlNames.normalize("Ärger_TABLE")).isEqualTo("Ärger_table");
    assertThat(SqlNames.normalize("\"Ärger\"")).isEqualTo("Ärger");
    assertThat(SqlTokenizer.tokenize("ALTER TABLE Größe ADD x int", 1).stream()
        .filter(SqlToken::isName).map(SqlToken::identifier)).contains("größe");
  }

  @Test
  void theFoldingIsPostgresqls() throws Exception {
    try (TestDatabase db = TestDatabase.create("folding");
        Connection connection = db.connection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE \"" + db.schema() + "\".ÄrgerNis (id int)");
      try (ResultSet row = statement.executeQuery("SELECT relname FROM pg_class WHERE relnamespace = '\""
          + db.schema() + "\"'::regnamespace AND relname ILIKE '%rgernis'")) {
        row.next();
        assertThat(row.getString(1)).isEqualTo(SqlNames.normalize("ÄrgerNis"));
      }
    }
  }
}
