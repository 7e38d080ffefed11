package dev.zdm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code zdm plan} shows each direct step's undo; with a database, the one zdm start would plan. */
class PlanCommandTest {
  private static final String URL = TestDatabase.url();

  @TempDir Path dir;

  private String plan(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine line = new CommandLine(new PlanCommand());
    line.setOut(new PrintWriter(out));
    line.setErr(new PrintWriter(err));
    assertThat(line.execute(args)).as(err.toString()).isZero();
    return out.toString();
  }

  @Test
  void aDefaultChangeIsIrreversibleWithoutADatabaseAndRestoredWithOne() throws Exception {
    String schema = "zdm_test_plan_" + UUID.randomUUID().toString().substring(0, 8);
    try (Connection connection = DriverManager.getConnection(URL);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
      try {
        statement.execute("CREATE TABLE " + schema + ".orders (id bigint PRIMARY KEY,"
            + " status text DEFAULT 'open')");
        Path file = Files.writeString(dir.resolve("V9__status.sql"),
            "ALTER TABLE " + schema + ".orders ALTER COLUMN status SET DEFAULT 'new';\n"
                + "ALTER TABLE " + schema + ".orders ADD COLUMN note text;\n");
        String offline = plan(file.toString(), "--database-url", "");
        assertThat(offline)
            .contains("irreversible: a rollback after this step leaves it in place")
            .contains("undo: ALTER TABLE \"" + schema + "\".\"orders\" DROP COLUMN IF EXISTS \"note\"");
        assertThat(plan(file.toString(), "--database-url", URL))
            .contains("undo: ALTER TABLE \"" + schema + "\".\"orders\" ALTER COLUMN \"status\""
                + " SET DEFAULT 'open'::text")
            .doesNotContain("irreversible");
      } finally {
        statement.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }
}
