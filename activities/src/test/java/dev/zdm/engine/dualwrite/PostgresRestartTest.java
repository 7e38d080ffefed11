package dev.zdm.engine.dualwrite;

import static dev.zdm.testing.TemporalTestEnv.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.zdm.backfill.BatchSettings;
import dev.zdm.dualwrite.DualWriteKind;
import dev.zdm.dualwrite.DualWriteRequest;
import dev.zdm.dualwrite.DualWriteWorkflow;
import dev.zdm.dualwrite.DualWriteWorkflowImpl;
import dev.zdm.engine.activities.DdlActivitiesImpl;
import dev.zdm.engine.backfill.BackfillActivitiesImpl;
import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.WaitingFor;
import dev.zdm.postgres.StatementRunner;
import dev.zdm.testing.AccountsTable;
import dev.zdm.testing.AppWriters;
import dev.zdm.testing.RestartablePostgres;
import dev.zdm.testing.TemporalTestEnv;
import dev.zdm.testing.TestDatabase;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL stopped and started again (an embedded server this class owns, same data directory
 * and port) in the middle of a dual-write: during its backfill, during a deployment wait, and
 * while its cut-over retries lock timeouts. The application keeps writing and reconnects; each
 * migration completes with every write kept, the breaker closed, and the worker's log saying
 * that a connection failed and was retried. Workflow level: Temporal's test environment in this
 * JVM with the real activities, so the worker is the one whose log is read here.
 */
class PostgresRestartTest {
  static final int ROWS = 20_000;
  /** Fixed, small batches with a pause: the backfill is still running when the server stops. */
  static final BatchSettings SLOW =
      new BatchSettings(100, 20, null, null, false, null, null, null, Duration.ofMillis(500), null);
  static final Duration WAIT = Duration.ofSeconds(120);

  private static RestartablePostgres postgres;
  private TestDatabase db;
  private TemporalTestEnv temporal;
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private Logger runnerLogger;
  private Level runnerLevel;

  @BeforeAll
  static void startPostgres() {
    postgres = RestartablePostgres.start();
  }

  @AfterAll
  static void stopPostgres() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabase.create("restart", postgres.url());
    db.sql(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, amount integer NOT NULL, note text)",
        "INSERT INTO accounts SELECT g, g % 1000, 'seed' FROM generate_series(1, " + ROWS + ") g",
        "ANALYZE accounts");
    // Lock timeouts are logged at INFO; the tests' configuration shows WARN and up.
    runnerLogger = (Logger) LoggerFactory.getLogger(StatementRunner.class);
    runnerLevel = runnerLogger.getLevel();
    runnerLogger.setLevel(Level.INFO);
    log.list = new CopyOnWriteArrayList<>(); // appended to by activity threads, read by the test
    log.start();
    ((Logger) LoggerFactory.getLogger("dev.zdm")).addAppender(log);
    temporal = new TemporalTestEnv(
        new Class<?>[] {DualWriteWorkflowImpl.class},
        new DualWriteActivitiesImpl(db.target()),
        new BackfillActivitiesImpl(db.target()),
        new DdlActivitiesImpl(db.target()));
  }

  @AfterEach
  void tearDown() {
    ((Logger) LoggerFactory.getLogger("dev.zdm")).detachAppender(log);
    runnerLogger.setLevel(runnerLevel);
    if (temporal != null) {
      temporal.close();
    }
    // The server is up again by now unless a test failed while it was down.
    postgres.startAgainIfStopped();
    db.close();
  }

  @Test
  void aRestartDuringTheBackfillIsRetriedAndTheBackfillResumes() throws Exception {
    DualWriteWorkflow workflow = temporal.newWorkflow(DualWriteWorkflow.class, "zdm-restart-backfill");
    try (AppWriters app = writers()) {
      WorkflowClient.start(workflow::run, rename("restart-backfill", SLOW));
      awaitStatus(workflow, s -> s.progress() != null && s.progress().rowsDone() >= 2_000, "backfill progress");
      assertThat(workflow.status().progress().rowsDone()).as("still backfilling").isLessThan(ROWS);

      postgres.stop();
      awaitLog(e -> e.getFormattedMessage().contains("[restart-backfill]")
          && e.getFormattedMessage().contains("connection to PostgreSQL failed"), "a backfill retry after the stop");
      postgres.startAgain();

      awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()), "the reads gate");
      finishRename(workflow, app);
      assertFinished(app, "restart-backfill");
    }
  }

  @Test
  void aServerDownThroughTheDeploymentWaitsHoldsTheFirstStepAfterThem() throws Exception {
    DualWriteWorkflow workflow = temporal.newWorkflow(DualWriteWorkflow.class, "zdm-restart-deploy");
    try (AppWriters app = writers()) {
      WorkflowClient.start(workflow::run, rename("restart-deploy", BATCHES));
      awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()), "the reads gate");

      // Down while the workflow waits, and still down when release tooling says "deployed" twice
      // and approves: the gates need no database; the fidelity check after them does, and retries.
      postgres.stop();
      workflow.deployed(new DeploymentSignal("v1.1", "reads"));
      awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_WRITES.equals(s.waitingFor()), "the writes gate");
      app.switchTo("total");
      workflow.deployed(new DeploymentSignal("v1.2", "writes"));
      awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()), "the approval gate");
      workflow.approve(new ApprovalRequest("test", null));
      awaitLog(e -> e.getFormattedMessage().contains("[restart-deploy] check the fidelity")
          && e.getFormattedMessage().contains("connection to PostgreSQL failed"), "the fidelity check retried");
      postgres.startAgain();

      assertThat(WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class).outcome())
          .isEqualTo(Outcome.COMPLETED);
      assertFinished(app, "restart-deploy");
    }
  }

  @Test
  void aRestartWhileTheCutOverRetriesLockTimeoutsEndsInOneCutOver() throws Exception {
    DualWriteWorkflow workflow = temporal.newWorkflow(DualWriteWorkflow.class, "zdm-restart-cutover");
    try (AppWriters app = writers()) {
      WorkflowClient.start(workflow::run, rename("restart-cutover", BATCHES));
      awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()), "the reads gate");
      workflow.deployed(new DeploymentSignal("v1.1", "reads"));
      awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_WRITES.equals(s.waitingFor()), "the writes gate");
      app.switchTo("total");
      app.awaitWrites(100);
      workflow.deployed(new DeploymentSignal("v1.2", "writes"));
      awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()), "the approval gate");

      // A long transaction that read the table: the cut-over's ACCESS EXCLUSIVE waits for it, gives
      // up after lock_timeout and retries, while the application's writes go on around it.
      Connection reader = DriverManager.getConnection(postgres.url());
      reader.setAutoCommit(false);
      try (Statement statement = reader.createStatement()) {
        statement.execute("SELECT count(*) FROM " + new AccountsTable(db).qualified());
      }
      workflow.approve(new ApprovalRequest("test", null));
      awaitLogs(2, e -> e.getFormattedMessage().contains("[restart-cutover] cut over")
          && e.getFormattedMessage().contains("lock not granted"), "two lock-timeout retries of the cut-over");

      // The restart ends the long transaction too; the cut-over's next attempt meets no server.
      postgres.stop();
      awaitLog(e -> e.getFormattedMessage().contains("[restart-cutover] cut over")
          && e.getFormattedMessage().contains("connection to PostgreSQL failed"), "a cut-over retry after the stop");
      postgres.startAgain();
      reader.close();

      assertThat(WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class).outcome())
          .isEqualTo(Outcome.COMPLETED);
      assertFinished(app, "restart-cutover");
    }
  }

  /** Fast batches: these tests stop the server after the backfill. */
  static final BatchSettings BATCHES =
      new BatchSettings(1_000, 0, null, null, null, null, null, null, Duration.ofMillis(500), null);

  private AppWriters writers() {
    return new AppWriters(postgres.url(), new AccountsTable(db).qualified(), "amount",
        AccountsTable.seedAmounts(ROWS), ROWS + 1, 3).start();
  }

  private DualWriteRequest rename(String id, BatchSettings batches) {
    return new DualWriteRequest(
        id, DualWriteKind.RENAME_COLUMN, new AccountsTable(db).ref(), "amount", "total", null, null, null, null,
        batches, MigrationOptions.defaults(), null);
  }

  private void finishRename(DualWriteWorkflow workflow, AppWriters app) throws Exception {
    workflow.deployed(new DeploymentSignal("v1.1", "reads"));
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_WRITES.equals(s.waitingFor()), "the writes gate");
    app.switchTo("total");
    app.awaitWrites(100);
    workflow.deployed(new DeploymentSignal("v1.2", "writes"));
    awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()), "the approval gate");
    workflow.approve(new ApprovalRequest("test", null));
    assertThat(WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class).outcome())
        .isEqualTo(Outcome.COMPLETED);
  }

  /** Every write the application made (settled by reading back the ones cut off) is in the table. */
  private void assertFinished(AppWriters app, String migrationId) throws Exception {
    app.awaitWrites(100);
    app.close();
    assertThat(app.reconnects()).as("the application lost its connections and made new ones")
        .isPositive();
    assertThat(app.errors()).as("application errors other than lost connections: %s", app.errorSamples())
        .isZero();
    assertThat(db.column("SELECT attname FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attnum > 0"
        + " AND NOT attisdropped ORDER BY attnum")).containsExactly("id", "note", "total");
    assertThat(db.count("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'accounts'::regclass")).isZero();
    Map<Long, Long> actual = new HashMap<>();
    try (var connection = db.connection();
        var statement = connection.createStatement();
        var rows = statement.executeQuery("SELECT id, total FROM " + new AccountsTable(db).qualified())) {
      while (rows.next()) {
        actual.put(rows.getLong(1), rows.getLong(2));
      }
    }
    assertThat(actual).as("every write kept, none lost, none stale").isEqualTo(app.expected());
    // A restart is not a fault of the migration: the breaker is closed and counts nothing.
    assertThat(db.value("SELECT state || '/' || failure_count FROM _migration_circuit_breakers"
        + " WHERE breaker_name = 'migration_executor'")).isEqualTo("closed/0");
    assertThat(db.value("SELECT string_agg(DISTINCT status, ',') FROM _migration_progress WHERE migration_id = '" + migrationId + "'"))
        .isEqualTo("completed");
  }

  private void awaitLog(Predicate<ILoggingEvent> match, String what) throws InterruptedException {
    awaitLogs(1, match, what);
  }

  private void awaitLogs(int count, Predicate<ILoggingEvent> match, String what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      List<ILoggingEvent> events = List.copyOf(log.list);
      if (events.stream().filter(match).count() >= count) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the worker never logged " + what + "; it logged: "
        + List.copyOf(log.list).stream().map(ILoggingEvent::getFormattedMessage).toList());
  }
}
