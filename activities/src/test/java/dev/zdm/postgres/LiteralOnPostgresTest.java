package dev.zdm.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A value zdm puts into SQL as a literal (a column's comment read back from the catalog, a name)
 * reads back unchanged whatever standard_conforming_strings says: with it off, a backslash in a
 * plain '...' string is an escape and a comment ending in a backslash would run on as SQL.
 */
class LiteralOnPostgresTest {
  private static final List<String> VALUES = List.of(
      "plain", "it's", "C:\\path\\", "ends with a backslash \\", "\\' OR true --", "tab\\t and quote ''");

  @Test
  void everyValueReadsBackUnchangedUnderEitherStringSetting() throws Exception {
    try (TestDatabase db = TestDatabase.create("literal");
        Connection connection = db.connection();
        Statement statement = connection.createStatement()) {
      for (String setting : List.of("on", "off")) {
        statement.execute("SET standard_conforming_strings = " + setting);
        statement.execute("SET escape_string_warning = off");
        for (String value : VALUES) {
          try (ResultSet row = statement.executeQuery("SELECT " + Identifiers.literal(value))) {
            row.next();
            assertThat(row.getString(1)).as("%s with standard_conforming_strings %s", value, setting)
                .isEqualTo(value);
          }
        }
      }
    }
  }
}
