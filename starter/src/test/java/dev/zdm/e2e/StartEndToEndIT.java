package dev.zdm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zdm.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code zdm start} as a user meets it on a fresh server: issued before any worker runs, then
 * with the same id while the migration runs, after it was rolled back, after it completed, and
 * with no worker on its task queue at all. Server, worker and CLI are separate processes.
 */
@TestMethodOrder(OrderAnnotation.class)
class StartEndToEndIT {
  private static final String WAITING = "waiting for a worker on task queue ";

  private static E2eStack stack;
  private static TestDatabase db;

  @BeforeAll
  static void startServerOnly() throws Exception {
    stack = E2eStack.startWithoutWorker("e2e_start");
    db = stack.db;
  }

  @AfterAll
  static void stopEverything() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  @Order(1)
  void aStartBeforeAnyWorkerWaitsForOneThenPrintsThePlanAndTheIdStaysTaken() throws Exception {
    db.execute("CREATE TABLE {schema}.accounts (id bigint PRIMARY KEY, legacy text)");
    db.execute("INSERT INTO {schema}.accounts SELECT n, 'old ' || n FROM generate_series(1, 50) n");
    Path migration = Files.createTempDirectory("zdm-e2e-start").resolve("V1__drop_legacy.sql");
    Files.writeString(migration, "ALTER TABLE \"" + db.schema() + "\".accounts DROP COLUMN legacy;");
    Path log = stack.logs().resolve("start-early.log");

    Process start = stack.zdmInBackground(log,
        "start", migration.toString(), "--strategy", "expand-contract", "--id", "early");
    E2eStack.awaitLog(log, WAITING + "zdm-migrations (start one with `zdm worker`)");
    assertThat(start.isAlive()).as("start keeps waiting: " + Files.readString(log)).isTrue();

    stack.startWorker();
    assertThat(start.waitFor(ZdmProcess.COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
        .as("start ends once a worker made the plan: " + Files.readString(log)).isTrue();
    String output = Files.readString(log);
    assertThat(start.exitValue()).as(output).isZero();
    assertThat(output).contains("Started migration early as workflow zdm-early")
        .contains("drop column").contains("expand-contract");
    assertThat(output.indexOf(WAITING)).as(output).isLessThan(output.indexOf("Plan:"));
    assertThat(output).containsOnlyOnce(WAITING).doesNotContain("workflowId='").doesNotContain("\tat ");

    JsonNode running = stack.awaitWaitingFor("early", "deployment");
    String runId = running.path("runId").asText();
    ZdmProcess.Result twice = stack.zdm("start", migration.toString(), "--strategy", "expand-contract", "--id", "early");
    assertThat(twice.exitCode()).as(twice.toString()).isEqualTo(1);
    assertThat(twice.stderr())
        .contains("Migration early is already running as workflow zdm-early (run " + runId + ").")
        .doesNotContain("\tat ");

    ZdmProcess.Result rollback = stack.zdm("rollback", "early", "--reason", "e2e");
    assertThat(rollback.exitCode()).as(rollback.toString()).isZero();
    assertThat(stack.awaitState("early", "COMPLETED").path("phase").asText()).isEqualTo("rolled-back");
    ZdmProcess.Result afterRollback = stack.zdm("start", migration.toString(), "--strategy", "expand-contract", "--id", "early");
    assertThat(afterRollback.exitCode()).as(afterRollback.toString()).isEqualTo(1);
    assertThat(afterRollback.stderr()).contains("Migration early was rolled back (workflow zdm-early, run " + runId)
        .contains("--rerun");

    ZdmProcess.Result rerun = stack.zdm("start", migration.toString(), "--strategy", "expand-contract", "--id", "early", "--rerun");
    assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
    assertThat(rerun.stdout()).contains("Started migration early as workflow zdm-early");
    JsonNode again = stack.awaitWaitingFor("early", "deployment");
    assertThat(again.path("runId").asText()).isNotEqualTo(runId);
    ZdmProcess.Result rerunWhileRunning = stack.zdm("start", migration.toString(), "--strategy", "expand-contract", "--id", "early", "--rerun");
    assertThat(rerunWhileRunning.exitCode()).as(rerunWhileRunning.toString()).isEqualTo(1);
    assertThat(rerunWhileRunning.stderr()).contains("already running");

    assertThat(stack.zdm("rollback", "early").exitCode()).isZero();
    stack.awaitState("early", "COMPLETED");
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.accounts WHERE legacy = 'old ' || id")).isEqualTo(50);
  }

  @Test
  @Order(2)
  void aCompletedMigrationNeverRunsTwiceButARefusedOneMayBeFixedAndStartedAgain() throws Exception {
    db.execute("CREATE TABLE {schema}.notes (id bigint PRIMARY KEY)");
    Path directory = Files.createTempDirectory("zdm-e2e-start-again");
    Path migration = directory.resolve("V2__add_body.sql");
    Files.writeString(migration, "ALTER TABLE \"" + db.schema() + "\".notes ADD COLUMN body text;");

    ZdmProcess.Result first = stack.zdm("start", migration.toString(), "--wait");
    assertThat(first.exitCode()).as(first.toString()).isZero();
    assertThat(first.stdout()).contains("COMPLETED");
    String runId = stack.awaitState("V2__add_body", "COMPLETED").path("runId").asText();

    ZdmProcess.Result second = stack.zdm("start", migration.toString());
    assertThat(second.exitCode()).as(second.toString()).isEqualTo(1);
    assertThat(second.stderr())
        .contains("Migration V2__add_body has already completed (workflow zdm-V2__add_body, run " + runId + ")")
        .contains("never runs twice");
    ZdmProcess.Result forced = stack.zdm("start", migration.toString(), "--rerun");
    assertThat(forced.exitCode()).as(forced.toString()).isEqualTo(1);
    assertThat(forced.stderr()).contains("has already completed");
    JsonNode status = stack.awaitState("V2__add_body", "COMPLETED");
    assertThat(status.path("runId").asText()).as("no second run").isEqualTo(runId);

    // A refused migration ends its workflow FAILED; the fixed file starts under the same id.
    Path typo = directory.resolve("V3__drop.sql");
    Files.writeString(typo, "ALTER TABLE \"" + db.schema() + "\".notes DROP COLUMN bdy;");
    ZdmProcess.Result refused = stack.zdm("start", typo.toString(), "--strategy", "expand-contract");
    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
    assertThat(refused.stderr()).contains("column bdy does not exist");
    Files.writeString(typo, "ALTER TABLE \"" + db.schema() + "\".notes DROP COLUMN body;");
    ZdmProcess.Result fixed = stack.zdm("start", typo.toString(), "--strategy", "expand-contract");
    assertThat(fixed.exitCode()).as(fixed.toString()).isZero();
    stack.awaitWaitingFor("V3__drop", "deployment");
    assertThat(stack.zdm("rollback", "V3__drop").exitCode()).isZero();
    stack.awaitState("V3__drop", "COMPLETED");
  }

  @Test
  @Order(3)
  void withNoWorkerOnItsQueueAStartGivesUpAfterItsWaitTimeoutAndTheWorkflowStaysStarted() throws Exception {
    db.execute("CREATE TABLE {schema}.queue_less (id bigint PRIMARY KEY, legacy text)");
    Path migration = Files.createTempDirectory("zdm-e2e-no-worker").resolve("V4__drop.sql");
    Files.writeString(migration, "ALTER TABLE \"" + db.schema() + "\".queue_less DROP COLUMN legacy;");

    ZdmProcess.Result start = stack.zdm("start", migration.toString(), "--strategy", "expand-contract",
        "--task-queue", "zdm-nobody", "--wait-timeout", "5s");
    assertThat(start.exitCode()).as(start.toString()).isEqualTo(1);
    assertThat(start.stderr())
        .contains(WAITING + "zdm-nobody")
        .contains("Migration V4__drop is started (workflow zdm-V4__drop, run ")
        .contains("but no worker on task queue zdm-nobody took it within 5s.")
        .contains("It stays started")
        .doesNotContain("\tat ");
    assertThat(start.stdout()).isEmpty();

    JsonNode status = stack.awaitState("V4__drop", "RUNNING");
    assertThat(status.path("message").asText()).contains("No worker has taken it yet").contains("(task queue zdm-nobody)");
    ZdmProcess.Result badTimeout = stack.zdm("start", migration.toString(), "--wait-timeout", "0s");
    assertThat(badTimeout.exitCode()).as(badTimeout.toString()).isEqualTo(2);
  }
}
