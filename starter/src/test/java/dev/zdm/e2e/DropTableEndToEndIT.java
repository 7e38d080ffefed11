package dev.zdm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zdm.postgres.Identifiers;
import dev.zdm.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DROP TABLE as a user runs it: zdm plan shows the phases, zdm start refuses a table a view still
 * reads, and a drop moves the table aside, where zdm rollback finds it and puts it back, or drops
 * it after its retention.
 */
class DropTableEndToEndIT {
  private static E2eStack stack;
  private static TestDatabase db;

  @BeforeAll
  static void startServerAndWorker() throws Exception {
    stack = E2eStack.start("e2e_drop_table");
    db = stack.db;
  }

  @AfterAll
  static void stopEverything() {
    if (stack != null) {
      // The archive schema beside the test's ledger schema was made by these tests.
      db.execute("DROP SCHEMA IF EXISTS " + Identifiers.quote(db.schema() + "_archive") + " CASCADE");
      stack.close();
    }
  }

  private long tables(String schema, String like) {
    return db.queryLong("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE c.relkind = 'r' AND n.nspname = '" + schema + "' AND c.relname LIKE '" + like + "'");
  }

  @Test
  void aDroppedTableIsMovedAsideRolledBackWithItsRowsThenDroppedAfterItsRetention() throws Exception {
    db.execute("CREATE TABLE {schema}.sessions (id bigint PRIMARY KEY, token text)");
    db.execute("INSERT INTO {schema}.sessions SELECT n, 't' || n FROM generate_series(1, 500) n");
    db.execute("CREATE VIEW {schema}.recent_sessions AS SELECT id FROM {schema}.sessions WHERE id > 400");
    Path directory = Files.createTempDirectory("zdm-e2e-drop-table");
    String table = "\"" + db.schema() + "\".sessions";
    Path blocked = Files.writeString(directory.resolve("V1__drop_sessions.sql"), "DROP TABLE " + table + ";");

    ZdmProcess.Result refused = stack.zdm("start", blocked.toString(), "--id", "e2e-drop-blocked");
    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
    assertThat(refused.stderr()).contains("view " + db.schema() + ".recent_sessions reads it");
    assertThat(tables(db.schema(), "sessions")).isEqualTo(1);

    Path migration = Files.writeString(directory.resolve("V2__drop_sessions.sql"), """
        DROP VIEW "%s".recent_sessions;
        -- @metadata {"retention": "1h"}
        DROP TABLE %s;
        """.formatted(db.schema(), table));
    ZdmProcess.Result plan = stack.zdm("plan", migration.toString());
    assertThat(plan.exitCode()).as(plan.toString()).isZero();
    assertThat(plan.stdout()).contains("move aside", "keep for the retention period", "time: 1h after the move");

    ZdmProcess.Result started = stack.zdm("start", migration.toString(), "--id", "e2e-drop-table",
        "--removal-after", "0s");
    assertThat(started.exitCode()).as(started.toString()).isZero();
    stack.awaitWaitingFor("e2e-drop-table", "deployment");
    assertThat(stack.zdm("deployed", "e2e-drop-table", "--version", "v2").exitCode()).isZero();
    stack.awaitWaitingFor("e2e-drop-table", "approval");
    assertThat(stack.zdm("approve", "e2e-drop-table", "--by", "e2e").exitCode()).isZero();
    JsonNode retained = stack.awaitWaitingFor("e2e-drop-table", "retention");
    assertThat(retained.path("message").asText()).contains("zdm rollback e2e-drop-table");
    assertThat(tables(db.schema(), "sessions")).isZero();
    assertThat(tables(db.schema() + "_archive", "sessions\\_%")).isEqualTo(1);

    ZdmProcess.Result rollback = stack.zdm("rollback", "e2e-drop-table", "--reason", "still read by billing");
    assertThat(rollback.exitCode()).as(rollback.toString()).isZero();
    JsonNode rolledBack = stack.awaitState("e2e-drop-table", "COMPLETED");
    assertThat(rolledBack.path("phase").asText()).startsWith("rolled-back");
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.sessions WHERE token = 't' || id")).isEqualTo(500);
    assertThat(tables(db.schema() + "_archive", "sessions\\_%")).isZero();

    Path again = Files.writeString(directory.resolve("V3__drop_sessions.sql"), """
        -- @metadata {"retention": "1s"}
        DROP TABLE %s;
        """.formatted(table));
    ZdmProcess.Result second = stack.zdm("start", again.toString(), "--id", "e2e-drop-table-2",
        "--removal-after", "0s");
    assertThat(second.exitCode()).as(second.toString()).isZero();
    stack.awaitWaitingFor("e2e-drop-table-2", "deployment");
    assertThat(stack.zdm("deployed", "e2e-drop-table-2", "--version", "v3").exitCode()).isZero();
    stack.awaitWaitingFor("e2e-drop-table-2", "approval");
    assertThat(stack.zdm("approve", "e2e-drop-table-2", "--by", "e2e").exitCode()).isZero();
    JsonNode done = stack.awaitState("e2e-drop-table-2", "COMPLETED");
    assertThat(done.path("phase").asText()).isEqualTo("completed");
    assertThat(tables(db.schema(), "sessions")).isZero();
    assertThat(tables(db.schema() + "_archive", "sessions\\_%")).isZero();
    assertThat(db.queryString("SELECT status FROM {schema}._migration_deprecations"
        + " WHERE migration_id = 'e2e-drop-table-2'")).isEqualTo("removed");
  }
}
