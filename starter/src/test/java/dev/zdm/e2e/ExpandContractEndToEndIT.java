package dev.zdm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zdm.testing.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole product as a user runs it: Temporal's test server, a zdm worker and the zdm CLI as
 * separate processes against the real PostgreSQL, with the application writing throughout, the
 * worker killed with SIGKILL while the migration waits, and the data checked afterwards.
 */
class ExpandContractEndToEndIT {
  private static final ObjectMapper JSON = E2eStack.JSON;
  private static final int ROWS = 20_000;

  private static E2eStack stack;
  private static TestDatabase db;

  @BeforeAll
  static void startServerAndWorker() throws Exception {
    stack = E2eStack.start("e2e");
    db = stack.db;
  }

  @AfterAll
  static void stopEverything() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void expandContractDropsAColumnUnderLoadSurvivesAKilledWorkerAndLosesNoWrite() throws Exception {
    LegacyUsersTable users = LegacyUsersTable.create(db, ROWS);
    String table = users.qualified();
    Path migration = Files.createTempDirectory("zdm-e2e").resolve("V7__drop_legacy_field.sql");
    Files.writeString(migration, """
        -- @metadata {"zeroDowntime": true, "phase": "contract"}
        ALTER TABLE %s DROP COLUMN legacy_field;
        """.formatted(table));

    try (ApplicationWriters application = new ApplicationWriters(
        TestDatabase.url(), table, ROWS)) {
      application.start();

      ZdmProcess.Result started = zdm("start", migration.toString(), "--strategy", "expand-contract",
          "--id", "e2e-drop", "--removal-after", "0s");
      assertThat(started.exitCode()).as(started.toString()).isZero();
      assertThat(started.stdout()).contains("zdm-e2e-drop").contains("drop column").contains("expand-contract");

      JsonNode waiting = awaitStatus("e2e-drop", "deployment");
      assertThat(waiting.get("state").asText()).isEqualTo("RUNNING");
      assertThat(waiting.get("workflowId").asText()).isEqualTo("zdm-e2e-drop");
      assertThat(waiting.get("strategy").asText()).isEqualTo("expand-contract");
      assertThat(waiting.get("steps").toString()).contains("deprecate");

      ZdmProcess.Result early = zdm("approve", "e2e-drop");
      assertThat(early.exitCode()).as(early.toString()).isEqualTo(1);
      assertThat(early.stderr()).contains("awaits approval").contains("waiting for deployment");
      ZdmProcess.Result twice = zdm("start", migration.toString(), "--strategy", "expand-contract", "--id", "e2e-drop");
      assertThat(twice.exitCode()).as(twice.toString()).isEqualTo(1);
      assertThat(twice.stderr()).contains("already running as workflow zdm-e2e-drop");
      ZdmProcess.Result unknown = zdm("deployed", "no-such-migration", "--version", "v1");
      assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(2);
      assertThat(unknown.stderr()).contains("No migration no-such-migration");

      application.deployNewVersion();
      ZdmProcess.Result deployed = zdm("deployed", "zdm-e2e-drop", "--version", "v1.1");
      assertThat(deployed.exitCode()).as(deployed.toString()).isZero();
      awaitStatus("e2e-drop", "approval");

      // SIGKILL the worker while the workflow waits; a new worker must pick it up.
      stack.killWorker();
      stack.startWorker();

      ZdmProcess.Result approved = zdm("approve", "e2e-drop", "--by", "e2e");
      assertThat(approved.exitCode()).as(approved.toString()).isZero();
      JsonNode done = awaitState("e2e-drop", "COMPLETED");
      assertThat(done.get("phase").asText()).isEqualTo("completed");
      assertThat(done.get("waitingFor").isNull()).isTrue();

      Thread.sleep(500);  // the application keeps writing after the drop
      application.close();
      assertThat(application.errors()).as("application errors").isEmpty();
      assertThat(application.writes()).isPositive();

      assertThat(db.queryLong("SELECT count(*) FROM {schema}.users"))
          .isEqualTo(application.expectedEmails().size());
      try (var connection = db.connection()) {
        assertThat(application.rowsWhoseLastWriteWasLost(connection, table))
            .as("rows whose last write was lost").isZero();
      }
    }
    users.assertDroppedWithEveryValueArchived();
    assertThat(db.queryLong("SELECT count(*) FROM " + users.archive() + " "
        + "WHERE id > " + ROWS + " AND legacy_field <> 'legacy written by the old version'")).isZero();

    ZdmProcess.Result list = zdm("list", "--all", "--json");
    assertThat(list.exitCode()).as(list.toString()).isZero();
    JsonNode listed = null;
    for (JsonNode entry : JSON.readTree(list.stdout())) {
      if ("e2e-drop".equals(entry.path("id").asText())) {
        listed = entry;
      }
    }
    assertThat(listed).as(list.stdout()).isNotNull();
    // These come from the workflow's search attributes, as the Web UI shows them.
    assertThat(listed.path("state").asText()).isEqualTo("COMPLETED");
    assertThat(listed.path("strategy").asText()).isEqualTo("expand-contract");
    assertThat(listed.path("phase").asText()).isEqualTo("completed");
    assertThat(listed.path("table").asText()).isEqualTo(db.schema() + ".users");
    assertThat(listed.path("waitingFor").isNull()).isTrue();

    String metrics = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.metricsPort + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(metrics).contains("zdm_ddl_statements_total").contains("temporal_")
        .contains("hikaricp_connections_active{pool=\"zdm-worker\"");

    replayTheRecordedHistories();
  }

  @Test
  void anOpenBreakerHoldsTheMigrationUntilResetAndARollbackUndoesIt() throws Exception {
    db.execute("CREATE TABLE {schema}.orders (id bigint PRIMARY KEY, note text)");
    db.execute("INSERT INTO {schema}.orders SELECT n, 'note ' || n FROM generate_series(1, 100) n");
    Path migration = Files.createTempDirectory("zdm-e2e-breaker").resolve("V9__drop_note.sql");
    Files.writeString(migration, "ALTER TABLE \"" + db.schema() + "\".orders DROP COLUMN note;");
    db.execute("UPDATE {schema}._migration_circuit_breakers SET state = 'open', failure_count = 5");
    try {
      ZdmProcess.Result started = zdm("start", migration.toString(), "--strategy", "expand-contract", "--id", "e2e-breaker");
      assertThat(started.exitCode()).as(started.toString()).isZero();
      JsonNode held = awaitStatus("e2e-breaker", "breaker");
      assertThat(held.path("message").asText()).contains("zdm breaker reset");
      ZdmProcess.Result breaker = zdm("breaker", "status", "--json");
      assertThat(breaker.exitCode()).as(breaker.toString()).isZero();
      assertThat(JSON.readTree(breaker.stdout()).path("state").asText()).isEqualTo("open");

      ZdmProcess.Result reset = zdm("breaker", "reset");
      assertThat(reset.exitCode()).as(reset.toString()).isZero();
      assertThat(reset.stdout()).contains("CLOSED");
      awaitStatus("e2e-breaker", "deployment");
    } finally {
      db.execute("UPDATE {schema}._migration_circuit_breakers SET state = 'closed', failure_count = 0");
    }
    ZdmProcess.Result rollback = zdm("rollback", "e2e-breaker", "--reason", "e2e");
    assertThat(rollback.exitCode()).as(rollback.toString()).isZero();
    JsonNode rolledBack = awaitState("e2e-breaker", "COMPLETED");
    assertThat(rolledBack.path("phase").asText()).isEqualTo("rolled-back");
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.orders WHERE note IS NOT NULL")).isEqualTo(100);
    assertThat(db.queryLong("SELECT count(*) FROM {schema}._migration_deprecations WHERE table_name = 'orders'")).isZero();
    ZdmProcess.Result again = zdm("rollback", "e2e-breaker");
    assertThat(again.exitCode()).as(again.toString()).isEqualTo(1);
  }

  @Test
  void badInputIsRefusedWithExitCode2AndNothingChanges() throws Exception {
    db.execute("CREATE TABLE {schema}.accounts (id bigint PRIMARY KEY, legacy text)");
    Path directory = Files.createTempDirectory("zdm-e2e-bad");
    Path typo = directory.resolve("V1__typo.sql");
    Files.writeString(typo, "ALTER TABLE \"" + db.schema() + "\".accounts DROP COLUMN legacy_typo;");
    Path badMetadata = directory.resolve("V2__bad_metadata.sql");
    Files.writeString(badMetadata, "-- @metadata {zeroDowntime: yes\nALTER TABLE accounts DROP COLUMN legacy;");

    ZdmProcess.Result unknownColumn = zdm("start", typo.toString(), "--strategy", "expand-contract");
    assertThat(unknownColumn.exitCode()).as(unknownColumn.toString()).isEqualTo(2);
    assertThat(unknownColumn.stderr()).contains("column legacy_typo does not exist").contains("Nothing in the database was changed");
    ZdmProcess.Result malformed = zdm("start", badMetadata.toString(), "--strategy", "expand-contract");
    assertThat(malformed.exitCode()).as(malformed.toString()).isEqualTo(2);
    assertThat(malformed.stderr()).contains("V2__bad_metadata.sql:1").contains("malformed @metadata");
    ZdmProcess.Result missing = zdm("start", directory.resolve("nope.sql").toString(), "--strategy", "expand-contract");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.stderr()).contains("no such file");
    ZdmProcess.Result badDuration = zdm("start", typo.toString(), "--strategy", "expand-contract", "--removal-after", "soon");
    assertThat(badDuration.exitCode()).isEqualTo(2);
    assertThat(badDuration.stderr()).contains("is not a duration");
    Path unsafe = directory.resolve("V3__truncate.sql");
    Files.writeString(unsafe, "TRUNCATE \"" + db.schema() + "\".accounts;");
    ZdmProcess.Result refused = zdm("start", unsafe.toString());
    assertThat(refused.exitCode()).as("a plan zdm cannot make safe: " + refused).isEqualTo(1);
    assertThat(refused.stderr()).contains("TRUNCATE").contains("--force");
    assertThat(db.queryLong("SELECT count(*) FROM {schema}._migration_deprecations")).isZero();
    assertThat(unknownColumn.stderr()).doesNotContain("\tat ");
  }

  @Test
  void anUnreachablePostgresqlIsExitCode3WithinSeconds() {
    long started = System.nanoTime();
    ZdmProcess.Result result = ZdmProcess.run(Map.of(), "breaker", "status",
        "--database-url", "jdbc:postgresql://127.0.0.1:" + closedPort() + "/app?user=postgres");
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
    assertThat(result.stderr()).contains("PostgreSQL at").contains("cannot be reached").doesNotContain("\tat ");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void anUnreachableTemporalIsExitCode3WithinSeconds() {
    long started = System.nanoTime();
    ZdmProcess.Result result = ZdmProcess.run(Map.of(), "status", "anything", "--address", "127.0.0.1:" + closedPort());
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
    assertThat(result.stderr()).contains("cannot be reached").doesNotContain("\tat ");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
  }

  private void replayTheRecordedHistories() throws Exception {
    ThisBuildReplay.replay(stack.address, "zdm-e2e-drop", "zdm-e2e-drop-1-expand-contract");
  }


  private static ZdmProcess.Result zdm(String... args) {
    return stack.zdm(args);
  }

  private static JsonNode awaitStatus(String id, String waitingFor) throws Exception {
    return stack.awaitWaitingFor(id, waitingFor);
  }

  private static JsonNode awaitState(String id, String state) throws Exception {
    return stack.awaitState(id, state);
  }

  private static int closedPort() {
    try {
      return E2eStack.freePort();
    } catch (java.io.IOException e) {
      return 1;
    }
  }
}
