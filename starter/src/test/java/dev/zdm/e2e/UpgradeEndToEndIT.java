package dev.zdm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zdm.testing.TestDatabase;
import io.temporal.api.testservice.v1.SleepRequest;
import io.temporal.serviceclient.TestServiceStubs;
import io.temporal.serviceclient.TestServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A zdm upgrade under a running migration: the previous release's CLI starts an expand-contract
 * drop and its worker runs it to the deployment gate; that worker is killed, this build's worker
 * takes the migration over (replaying the old history with today's code) and this build's CLI
 * finishes it through the 30-day removal date and the approval, with the application writing
 * throughout. The previous release's jar is built by .ci/run from the commit in
 * .ci/previous-release and passed as -Dzdm.previousReleaseJar.
 */
class UpgradeEndToEndIT {
  static final String PREVIOUS_RELEASE_JAR = "zdm.previousReleaseJar";
  private static final int ROWS = 20_000;
  /** Past the default removal date of 30 days. */
  private static final Duration PAST_REMOVAL_DATE = Duration.ofDays(30).plusMinutes(5);
  private static final Duration TIME_SKIP_RPC_TIMEOUT = Duration.ofMinutes(2);
  private static final String ID = "upgrade-drop";

  private static Path previousJar;
  private static E2eStack stack;
  private static TestDatabase db;

  /** In a @BeforeEach, not @BeforeAll: the skip and its message then show in the test report. */
  @BeforeEach
  void startServerAndThePreviousReleasesWorker() throws Exception {
    String property = System.getProperty(PREVIOUS_RELEASE_JAR);
    assumeTrue(property != null && !property.isBlank(),
        "Skipped: no previous release jar (-D" + PREVIOUS_RELEASE_JAR + "). Run .ci/run, or build"
            + " it yourself: mkdir -p /tmp/zdm-prev && git archive $(cat .ci/previous-release) | tar -x -C /tmp/zdm-prev"
            + " && (cd /tmp/zdm-prev"
            + " && mvn -q -o -DskipTests package), then mvn verify -D" + PREVIOUS_RELEASE_JAR
            + "=/tmp/zdm-prev/starter/target/zdm.jar");
    previousJar = Path.of(property).toAbsolutePath();
    assertThat(previousJar).as("-D" + PREVIOUS_RELEASE_JAR + " names the previous release's zdm.jar").isRegularFile();
    stack = E2eStack.start("upgrade", previousJar);
    db = stack.db;
  }

  @AfterEach
  void stopEverything() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void aMigrationStartedByThePreviousReleaseIsFinishedByThisOne() throws Exception {
    LegacyUsersTable users = LegacyUsersTable.create(db, ROWS);
    String table = users.qualified();
    Path migration = Files.createTempDirectory("zdm-upgrade").resolve("V8__drop_legacy_field.sql");
    Files.writeString(migration, "ALTER TABLE " + table + " DROP COLUMN legacy_field;\n");

    try (ApplicationWriters application = new ApplicationWriters(TestDatabase.url(), table, ROWS)) {
      application.start();

      ZdmProcess.Result started = stack.zdm(previousJar, "start", migration.toString(),
          "--strategy", "expand-contract", "--id", ID);
      assertThat(started.exitCode()).as(started.toString()).isZero();
      JsonNode waiting = stack.awaitWaitingFor(ID, "deployment");
      assertThat(waiting.path("steps").toString()).contains("deprecate");

      // The upgrade: the old worker dies with the migration waiting; this build's worker takes over.
      stack.killWorker();
      stack.startWorker();

      application.deployNewVersion();
      ZdmProcess.Result deployed = stack.zdm("deployed", ID, "--version", "v2");
      assertThat(deployed.exitCode()).as(deployed.toString()).isZero();
      stack.awaitWaitingFor(ID, "removal-date");
      skipTime(PAST_REMOVAL_DATE);
      stack.awaitWaitingFor(ID, "approval");
      assertThat(db.queryLong("SELECT count(*) FROM {schema}.users WHERE id <= " + ROWS
          + " AND legacy_field = 'legacy ' || id")).as("nothing dropped before the approval").isEqualTo(ROWS);

      ZdmProcess.Result approved = stack.zdm("approve", ID, "--by", "upgrade-test");
      assertThat(approved.exitCode()).as(approved.toString()).isZero();
      JsonNode done = stack.awaitState(ID, "COMPLETED");
      assertThat(done.path("phase").asText()).isEqualTo("completed");
      assertThat(done.path("steps").toString())
          .contains("deprecate").contains("deployment").contains("removal-date").contains("approval")
          .contains("archive").contains("drop");

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
    assertThat(db.queryString("SELECT status FROM {schema}._migration_deprecations")).isEqualTo("removed");
    replayTheWholeHistoryWithThisBuild();
  }

  /** The port-bound test server runs in real time; this lets it jump over the removal date. */
  private static void skipTime(Duration duration) {
    TestServiceStubs testService = TestServiceStubs.newServiceStubs(
        TestServiceStubsOptions.newBuilder().setTarget(stack.address).setRpcTimeout(TIME_SKIP_RPC_TIMEOUT)
            .validateAndBuildWithDefaults());
    try {
      testService.blockingStub()
          .withDeadlineAfter(TIME_SKIP_RPC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .unlockTimeSkippingWithSleep(SleepRequest.newBuilder()
              .setDuration(com.google.protobuf.Duration.newBuilder().setSeconds(duration.toSeconds()))
              .build());
    } finally {
      testService.shutdown();
    }
  }

  /** Started by the old code, finished by the new: the whole history replays with this build. */
  private static void replayTheWholeHistoryWithThisBuild() throws Exception {
    ThisBuildReplay.replay(stack.address, "zdm-" + ID, "zdm-" + ID + "-1-expand-contract");
  }

}
