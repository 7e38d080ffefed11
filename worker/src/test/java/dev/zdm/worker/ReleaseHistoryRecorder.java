package dev.zdm.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.backfill.BatchSettings;
import dev.zdm.bluegreen.BlueGreenWorkflowImpl;
import dev.zdm.dualwrite.DualWriteKind;
import dev.zdm.dualwrite.DualWriteRequest;
import dev.zdm.dualwrite.DualWriteWorkflow;
import dev.zdm.dualwrite.DualWriteWorkflowImpl;
import dev.zdm.engine.expandcontract.ArchiveNames;
import dev.zdm.expandcontract.ExpandContractWorkflowImpl;
import dev.zdm.migration.MigrationWorkflow;
import dev.zdm.migration.MigrationWorkflowImpl;
import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.MigrationStatus;
import dev.zdm.model.Outcome;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.Strategy;
import dev.zdm.model.TableRef;
import dev.zdm.model.ThrottleRequest;
import dev.zdm.model.WaitingFor;
import dev.zdm.postgres.Identifiers;
import dev.zdm.progressive.ProgressiveChange;
import dev.zdm.progressive.ProgressiveRequest;
import dev.zdm.progressive.ProgressiveWorkflow;
import dev.zdm.progressive.ProgressiveWorkflowImpl;
import dev.zdm.temporal.ZdmNames;
import dev.zdm.testing.TestDatabase;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.filter.v1.WorkflowExecutionFilter;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Records a release's histories of every branch a migration can be in, waiting ones included,
 * with the release's real workflows and activities against real PostgreSQL. It runs only when asked
 * ({@code -Dzdm.recordRelease=release-X.Y}, at the release's code); the files (in
 * target/histories/release-X.Y, copied to src/test/resources/histories/release-X.Y) are replayed by
 * every later release: they are recorded once, on the release's code, and never again.
 * Each history is replayed against this code right after it is saved, so a file that could not
 * replay even here is never kept.
 */
@EnabledIfSystemProperty(named = "zdm.recordRelease", matches = "release-.+")
class ReleaseHistoryRecorder {
  static final String RELEASE = System.getProperty("zdm.recordRelease", "release-unknown");
  private static final Path OUTPUT = RecordedHistories.OUTPUT.resolve(RELEASE);
  /** Lets a signal's follow-up (a child's status mirrored to the parent) settle before a snapshot. */
  private static final Duration SETTLE = Duration.ofMillis(500);
  private static final Map<String, Class<?>> IMPLEMENTATIONS = Map.of(
      "Migration", MigrationWorkflowImpl.class,
      "ExpandContract", ExpandContractWorkflowImpl.class,
      "DualWrite", DualWriteWorkflowImpl.class,
      "Progressive", ProgressiveWorkflowImpl.class,
      "BlueGreen", BlueGreenWorkflowImpl.class);
  private static final String DROP = "ALTER TABLE {schema}.users DROP COLUMN legacy_field;";

  private TestDatabase db;
  private WorkflowTestEnvironment temporal;

  @BeforeEach
  void setUp() throws IOException {
    Files.createDirectories(OUTPUT);
    db = TestDatabase.create("history_recorder");
    db.execute("""
        CREATE TABLE {schema}.users (id bigint PRIMARY KEY, email text NOT NULL, legacy_field text);
        INSERT INTO {schema}.users SELECT n, 'u' || n || '@example.com', 'legacy ' || n
          FROM generate_series(1, 2000) n;
        CREATE TABLE {schema}.customers (id bigint PRIMARY KEY, name text);
        INSERT INTO {schema}.customers SELECT n, 'c' || n FROM generate_series(1, 100) n;
        CREATE TABLE {schema}.orders (
          id bigint PRIMARY KEY, customer_id bigint, quantity int NOT NULL, status text, code text, note text);
        INSERT INTO {schema}.orders
          SELECT n, 1 + n % 100, n % 7, CASE WHEN n % 2 = 0 THEN 'open' END, (n % 1000)::text, 'n' || n
          FROM generate_series(1, 3000) n;
        """);
    temporal = new WorkflowTestEnvironment(db);
  }

  @AfterEach
  void tearDown() {
    temporal.close();
    db.close();
  }

  // ---------------------------------------------------------------- expand-contract

  @Test
  void expandContractThroughEveryGateToCompletion() {
    MigrationWorkflow workflow = temporal.start("ec", DROP, Strategy.EXPAND_CONTRACT, MigrationOptions.defaults());
    workflow.awaitPlan();
    await(workflow, WaitingFor.DEPLOYMENT);
    save("expand-contract-waiting-deployment", "ec");

    workflow.deployed(new DeploymentSignal("v1.1", null));
    await(workflow, WaitingFor.REMOVAL_DATE);
    save("expand-contract-waiting-removal-date", "ec");

    temporal.env.sleep(Duration.ofDays(30).plusMinutes(1));
    await(workflow, WaitingFor.APPROVAL);
    save("expand-contract-waiting-approval", "ec");

    workflow.approve(new ApprovalRequest("recorder", "go"));
    assertThat(result(workflow).outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(db.queryLong("SELECT count(*) FROM " + Identifiers.quote(ArchiveNames.of(new TableRef(db.schema(), "users"), "legacy_field").table()))).isEqualTo(2000);
    save("expand-contract-completed", "ec");
  }

  @Test
  void expandContractRolledBackWhileWaitingForTheRemovalDate() {
    MigrationWorkflow workflow = temporal.start("ec-rollback", DROP, Strategy.EXPAND_CONTRACT, MigrationOptions.defaults());
    workflow.awaitPlan();
    await(workflow, WaitingFor.DEPLOYMENT);
    workflow.deployed(new DeploymentSignal("v1.1", null));
    await(workflow, WaitingFor.REMOVAL_DATE);
    workflow.rollback(new RollbackRequest("recorder", "changed our mind"));
    assertThat(result(workflow).outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(db.queryLong("SELECT count(*) FROM {schema}._migration_deprecations")).isZero();
    save("expand-contract-rolled-back-waiting", "ec-rollback");
  }

  @Test
  void expandContractCancelledWhileWaitingForDeployment() {
    MigrationWorkflow workflow = temporal.start("ec-cancel", DROP, Strategy.EXPAND_CONTRACT, MigrationOptions.defaults());
    workflow.awaitPlan();
    await(workflow, WaitingFor.DEPLOYMENT);
    WorkflowStub.fromTyped(workflow).cancel();
    assertThatThrownBy(() -> result(workflow)).isInstanceOf(WorkflowFailedException.class);
    awaitClosed(ZdmNames.childWorkflowId("ec-cancel", 1, Strategy.EXPAND_CONTRACT));
    assertThat(db.queryLong("SELECT count(*) FROM {schema}._migration_deprecations")).isZero();
    save("expand-contract-cancelled-waiting", "ec-cancel");
  }

  // ---------------------------------------------------------------- dual-write

  @Test
  void dualWriteRenameThroughBothGatesAndApproval() {
    MigrationWorkflow workflow = temporal.start("dw-rename",
        "ALTER TABLE {schema}.orders RENAME COLUMN note TO remark;", null, MigrationOptions.defaults());
    workflow.awaitPlan();
    await(workflow, WaitingFor.DEPLOYMENT_READS);
    save("dual-write-rename-waiting-reads", "dw-rename");
    workflow.deployed(new DeploymentSignal("v2", "reads"));
    await(workflow, WaitingFor.DEPLOYMENT_WRITES);
    save("dual-write-rename-waiting-writes", "dw-rename");
    workflow.deployed(new DeploymentSignal("v3", "writes"));
    await(workflow, WaitingFor.APPROVAL);
    save("dual-write-rename-waiting-approval", "dw-rename");
    workflow.approve(new ApprovalRequest("recorder", null));
    assertThat(result(workflow).outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.orders WHERE remark = 'n' || id")).isEqualTo(3000);
    save("dual-write-rename-completed", "dw-rename");
  }

  @Test
  void dualWriteTypeChangeThroughBothGatesAndApproval() {
    MigrationWorkflow workflow = temporal.start("dw-type",
        "ALTER TABLE {schema}.orders ALTER COLUMN quantity TYPE bigint;", null, MigrationOptions.defaults());
    workflow.awaitPlan();
    await(workflow, WaitingFor.DEPLOYMENT_READS);
    save("dual-write-type-waiting-reads", "dw-type");
    workflow.deployed(new DeploymentSignal("v2", "reads"));
    await(workflow, WaitingFor.DEPLOYMENT_WRITES);
    save("dual-write-type-waiting-writes", "dw-type");
    workflow.deployed(new DeploymentSignal("v3", "writes"));
    await(workflow, WaitingFor.APPROVAL);
    save("dual-write-type-waiting-approval", "dw-type");
    workflow.approve(new ApprovalRequest("recorder", null));
    assertThat(result(workflow).outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(db.queryString("SELECT data_type FROM information_schema.columns WHERE table_schema = '"
        + db.schema() + "' AND table_name = 'orders' AND column_name = 'quantity'")).isEqualTo("bigint");
    save("dual-write-type-completed", "dw-type");
  }

  @Test
  void dualWriteRolledBackAtTheWritesGate() {
    MigrationWorkflow workflow = temporal.start("dw-rollback",
        "ALTER TABLE {schema}.orders ALTER COLUMN quantity TYPE bigint;", null, MigrationOptions.defaults());
    workflow.awaitPlan();
    await(workflow, WaitingFor.DEPLOYMENT_READS);
    workflow.deployed(new DeploymentSignal("v2", "reads"));
    await(workflow, WaitingFor.DEPLOYMENT_WRITES);
    workflow.rollback(new RollbackRequest("recorder", "reads regressed"));
    assertThat(result(workflow).outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(db.queryString("SELECT data_type FROM information_schema.columns WHERE table_schema = '"
        + db.schema() + "' AND table_name = 'orders' AND column_name = 'quantity'")).isEqualTo("integer");
    save("dual-write-rolled-back-at-gate", "dw-rollback");
  }

  @Test
  void dualWriteWhoseBackfillPostgresRefusesIsCompensated() {
    db.execute("UPDATE {schema}.orders SET code = 'not a number' WHERE id = 2500");
    MigrationWorkflow workflow = temporal.start("dw-refused",
        "ALTER TABLE {schema}.orders ALTER COLUMN code TYPE integer USING code::integer;", null,
        MigrationOptions.defaults());
    workflow.awaitPlan();
    assertThatThrownBy(() -> result(workflow)).isInstanceOf(WorkflowFailedException.class);
    awaitClosed(ZdmNames.childWorkflowId("dw-refused", 1, Strategy.DUAL_WRITE));
    assertThat(db.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_schema = '"
        + db.schema() + "' AND table_name = 'orders' AND column_name LIKE 'code%'"))
        .as("the new column is removed again").isEqualTo(1);
    assertThat(db.queryLong("SELECT count(*) FROM pg_trigger WHERE tgrelid = '{schema}.orders'::regclass")).isZero();
    save("dual-write-failed-compensated", "dw-refused");
  }

  @Test
  void dualWriteAddNotNullThroughItsGatesToCompletion() {
    MigrationWorkflow workflow = temporal.start("dw-not-null", """
        -- @metadata {"backfill": "'eu'"}
        ALTER TABLE {schema}.orders ADD COLUMN region text NOT NULL;
        """, null, MigrationOptions.defaults());
    workflow.awaitPlan();
    await(workflow, WaitingFor.DEPLOYMENT_READS);
    save("dual-write-add-not-null-waiting-reads", "dw-not-null");
    workflow.deployed(new DeploymentSignal("v2", "reads"));
    await(workflow, WaitingFor.DEPLOYMENT_WRITES);
    workflow.deployed(new DeploymentSignal("v2", "writes"));
    await(workflow, WaitingFor.APPROVAL);
    workflow.approve(new ApprovalRequest("recorder", null));
    assertThat(result(workflow).outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.orders WHERE region = 'eu'")).isEqualTo(3000);
    save("dual-write-add-not-null-completed", "dw-not-null");
  }

  @Test
  void dualWriteCancelledWhileWaitingAtTheReadsGate() {
    MigrationWorkflow workflow = temporal.start("dw-cancel",
        "ALTER TABLE {schema}.orders RENAME COLUMN note TO remark;", null, MigrationOptions.defaults());
    workflow.awaitPlan();
    await(workflow, WaitingFor.DEPLOYMENT_READS);
    WorkflowStub.fromTyped(workflow).cancel();
    assertThatThrownBy(() -> result(workflow)).isInstanceOf(WorkflowFailedException.class);
    awaitClosed(ZdmNames.childWorkflowId("dw-cancel", 1, Strategy.DUAL_WRITE));
    assertThat(db.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_schema = '"
        + db.schema() + "' AND table_name = 'orders' AND column_name = 'remark'")).isZero();
    save("dual-write-cancelled-waiting", "dw-cancel");
  }

  /** Started on its own, as the progressive one: only a request can make the history budget small. */
  @Test
  void dualWriteThatContinuesAsNewThenWaitsAtTheReadsGate() {
    db.execute("""
        CREATE TABLE {schema}.accounts (id bigint PRIMARY KEY, amount integer NOT NULL);
        INSERT INTO {schema}.accounts SELECT n, n % 1000 FROM generate_series(1, 20000) n;
        """);
    String workflowId = ZdmNames.childWorkflowId("dw-can", 1, Strategy.DUAL_WRITE);
    DualWriteWorkflow workflow = temporal.client().newWorkflowStub(DualWriteWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(workflowId).setTaskQueue(WorkflowTestEnvironment.TASK_QUEUE).build());
    BatchSettings tiny = new BatchSettings(100, 0, null, null, false, null, null, null, Duration.ofMillis(100),
        BatchSettings.MIN_CONTINUE_AS_NEW_AFTER_EVENTS);
    WorkflowClient.start(workflow::run, new DualWriteRequest("dw-can", DualWriteKind.RENAME_COLUMN,
        new TableRef(db.schema(), "accounts"), "amount", "total", null, null, null, null, tiny,
        MigrationOptions.defaults(), null));
    DualWriteWorkflow latest = temporal.client().newWorkflowStub(DualWriteWorkflow.class, workflowId);
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!WaitingFor.DEPLOYMENT_READS.equals(waitingFor(latest))) {
      assertThat(System.nanoTime()).as("the reads gate is reached").isLessThan(deadline);
      sleepQuietly(Duration.ofMillis(200));
    }
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.accounts WHERE total IS DISTINCT FROM amount")).isZero();
    List<WorkflowExecutionInfo> runs = closedRuns(workflowId);
    assertThat(runs).as("runs that continued as new").isNotEmpty();
    List<WorkflowExecutionInfo> ordered = new ArrayList<>(runs);
    ordered.sort(Comparator.comparing(run -> run.getStartTime().getSeconds() * 1_000_000_000L + run.getStartTime().getNanos()));
    sleepQuietly(SETTLE);
    write("dual-write-continued-as-new-run-first",
        temporal.client().fetchHistory(workflowId, ordered.get(0).getExecution().getRunId()));
    write("dual-write-continued-as-new-run-last-waiting-reads", temporal.client().fetchHistory(workflowId));
  }

  private static String waitingFor(DualWriteWorkflow workflow) {
    try {
      MigrationStatus status = workflow.status();
      return status == null ? null : status.waitingFor();
    } catch (RuntimeException notYet) {
      return null;
    }
  }

  // ---------------------------------------------------------------- progressive

  @Test
  void batchedUpdatePausedThenResumedToCompletion() {
    MigrationWorkflow workflow = temporal.start("pg-pause", """
        -- @metadata {"batchSize": 100, "delayMs": 20}
        UPDATE {schema}.orders SET status = 'unknown' WHERE status IS NULL;
        """, null, MigrationOptions.defaults());
    workflow.awaitPlan();
    workflow.pause();
    await(workflow, WaitingFor.RESUME);
    save("progressive-paused", "pg-pause");
    workflow.resume();
    assertThat(result(workflow).outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.orders WHERE status IS NULL")).isZero();
    save("progressive-paused-resumed-completed", "pg-pause");
  }

  /** Paused while a chunk runs: the chunk stops at its next batch and returns PAUSED. */
  @Test
  void batchedUpdatePausedMidBatchesWaitsForResume() {
    db.execute("""
        CREATE TABLE {schema}.events (id bigint PRIMARY KEY, kind text);
        INSERT INTO {schema}.events SELECT n, NULL FROM generate_series(1, 100000) n;
        """);
    MigrationWorkflow workflow = temporal.start("pg-pause-mid", """
        -- @metadata {"batchSize": 100, "delayMs": 1000}
        UPDATE {schema}.events SET kind = 'old' WHERE kind IS NULL;
        """, null, MigrationOptions.defaults());
    workflow.awaitPlan();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (db.queryLong("SELECT COALESCE(sum(rows_scanned), 0) FROM {schema}._migration_progress "
        + "WHERE migration_id = 'pg-pause-mid'") == 0) {
      assertThat(System.nanoTime()).as("the first batch commits").isLessThan(deadline);
      sleepQuietly(Duration.ofMillis(50));
    }
    workflow.pause();
    await(workflow, WaitingFor.RESUME);
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.events WHERE kind IS NULL")).isPositive();
    save("progressive-paused-mid-batches", "pg-pause-mid");
  }

  /** A rollback of batches stops them; rows changed by committed batches stay changed. */
  @Test
  void batchedUpdatePausedThenRolledBack() {
    MigrationWorkflow workflow = temporal.start("pg-stop", """
        -- @metadata {"batchSize": 100, "delayMs": 20}
        UPDATE {schema}.orders SET status = 'unknown' WHERE status IS NULL;
        """, null, MigrationOptions.defaults());
    workflow.awaitPlan();
    workflow.pause();
    await(workflow, WaitingFor.RESUME);
    workflow.rollback(new RollbackRequest("recorder", "not now"));
    assertThat(result(workflow).outcome()).isEqualTo(Outcome.ROLLED_BACK);
    save("progressive-paused-rolled-back", "pg-stop");
  }

  @Test
  void batchedUpdateThrottledThenCompleted() {
    MigrationWorkflow workflow = temporal.start("pg-throttle", """
        -- @metadata {"batchSize": 100, "delayMs": 20}
        UPDATE {schema}.orders SET status = 'unknown' WHERE status IS NULL;
        """, null, MigrationOptions.defaults());
    workflow.awaitPlan();
    workflow.throttle(new ThrottleRequest(50, 10));
    assertThat(result(workflow).outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.orders WHERE status IS NULL")).isZero();
    save("progressive-throttled-completed", "pg-throttle");
  }

  @Test
  void rolloutPercentageWaitsForApproval() {
    MigrationWorkflow workflow = temporal.start("pg-rollout", """
        -- @metadata {"batchSize": 200, "rolloutPercentage": 10}
        DELETE FROM {schema}.orders WHERE status IS NULL;
        """, null, MigrationOptions.defaults());
    workflow.awaitPlan();
    await(workflow, WaitingFor.APPROVAL);
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.orders WHERE status IS NULL")).isBetween(1L, 1499L);
    save("progressive-rollout-waiting-approval", "pg-rollout");
    workflow.approve(new ApprovalRequest("recorder", null));
    assertThat(result(workflow).outcome()).isEqualTo(Outcome.COMPLETED);
    save("progressive-rollout-completed", "pg-rollout");
  }

  /** Started on its own: only a request can make the history budget this small. */
  @Test
  void batchedUpdateThatContinuesAsNew() {
    db.execute("""
        CREATE TABLE {schema}.items (id bigint PRIMARY KEY, status text);
        INSERT INTO {schema}.items SELECT n, NULL FROM generate_series(1, 20000) n;
        """);
    String workflowId = ZdmNames.childWorkflowId("pg-can", 1, Strategy.PROGRESSIVE);
    ProgressiveWorkflow workflow = temporal.client().newWorkflowStub(ProgressiveWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(workflowId).setTaskQueue(WorkflowTestEnvironment.TASK_QUEUE).build());
    BatchSettings tiny = new BatchSettings(100, 0, null, null, false, null, null, null, Duration.ofMillis(100),
        BatchSettings.MIN_CONTINUE_AS_NEW_AFTER_EVENTS);
    MigrationResult result = workflow.run(new ProgressiveRequest("pg-can", new TableRef(db.schema(), "items"),
        new ProgressiveChange.BatchedUpdate("status = 'done'", "status IS NULL"), tiny,
        MigrationOptions.defaults(), null));
    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.items WHERE status IS NULL")).isZero();
    List<WorkflowExecutionInfo> runs = new ArrayList<>(closedRuns(workflowId));
    runs.sort(Comparator.comparing(run -> run.getStartTime().getSeconds() * 1_000_000_000L + run.getStartTime().getNanos()));
    assertThat(runs).filteredOn(run -> run.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW)
        .hasSizeGreaterThanOrEqualTo(1);
    // The first run and the last: the one that continues as new, and the one that started continued.
    write("progressive-continued-as-new-run-first",
        temporal.client().fetchHistory(workflowId, runs.get(0).getExecution().getRunId()));
    write("progressive-continued-as-new-run-last",
        temporal.client().fetchHistory(workflowId, runs.get(runs.size() - 1).getExecution().getRunId()));
  }

  @Test
  void indexBuildCompleted() {
    MigrationWorkflow workflow = temporal.start("pg-index",
        "CREATE INDEX orders_customer ON {schema}.orders (customer_id);", null, MigrationOptions.defaults());
    workflow.awaitPlan();
    assertThat(result(workflow).outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(db.queryLong("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        + "WHERE c.relname = 'orders_customer' AND i.indisvalid")).isEqualTo(1);
    save("progressive-index-completed", "pg-index");
  }

  @Test
  void uniqueConstraintThroughAConcurrentIndexCompleted() {
    MigrationWorkflow workflow = temporal.start("pg-unique",
        "ALTER TABLE {schema}.users ADD CONSTRAINT users_email_key UNIQUE (email);", null, MigrationOptions.defaults());
    workflow.awaitPlan();
    assertThat(result(workflow).outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(db.queryString("SELECT contype FROM pg_constraint WHERE conname = 'users_email_key'")).isEqualTo("u");
    save("progressive-unique-constraint-completed", "pg-unique");
  }

  @Test
  void constraintCompleted() {
    MigrationWorkflow workflow = temporal.start("pg-constraint", """
        ALTER TABLE {schema}.orders ADD CONSTRAINT orders_customer_fk
          FOREIGN KEY (customer_id) REFERENCES {schema}.customers (id);
        """, null, MigrationOptions.defaults());
    workflow.awaitPlan();
    assertThat(result(workflow).outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(db.queryString("SELECT convalidated FROM pg_constraint WHERE conname = 'orders_customer_fk'")).isEqualTo("t");
    save("progressive-constraint-completed", "pg-constraint");
  }

  @Test
  void setNotNullThroughAValidatedCheckCompleted() {
    MigrationWorkflow workflow = temporal.start("pg-not-null",
        "ALTER TABLE {schema}.orders ALTER COLUMN customer_id SET NOT NULL;", null, MigrationOptions.defaults());
    workflow.awaitPlan();
    assertThat(result(workflow).outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(db.queryString("SELECT is_nullable FROM information_schema.columns WHERE table_schema = '"
        + db.schema() + "' AND table_name = 'orders' AND column_name = 'customer_id'")).isEqualTo("NO");
    save("progressive-not-null-completed", "pg-not-null");
  }

  // ---------------------------------------------------------------- blue-green

  @Test
  void blueGreenWaitsForApprovalAfterTheSwitchThenCompletes() {
    MigrationWorkflow workflow = temporal.start("bg", "VACUUM FULL {schema}.customers;", null, MigrationOptions.defaults());
    workflow.awaitPlan();
    await(workflow, WaitingFor.APPROVAL);
    save("blue-green-waiting-approval", "bg");
    workflow.approve(new ApprovalRequest("recorder", null));
    assertThat(result(workflow).outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.customers")).isEqualTo(100);
    save("blue-green-completed", "bg");
  }

  @Test
  void blueGreenRolledBackAfterTheSwitch() {
    MigrationWorkflow workflow = temporal.start("bg-rollback", "VACUUM FULL {schema}.customers;", null, MigrationOptions.defaults());
    workflow.awaitPlan();
    await(workflow, WaitingFor.APPROVAL);
    db.execute("INSERT INTO {schema}.customers VALUES (101, 'written after the switch')");
    workflow.rollback(new RollbackRequest("recorder", "slow queries on the new table"));
    assertThat(result(workflow).outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(db.queryString("SELECT name FROM {schema}.customers WHERE id = 101")).isEqualTo("written after the switch");
    save("blue-green-rolled-back-after-switch", "bg-rollback");
  }

  // ---------------------------------------------------------------- breaker

  @Test
  void aMigrationWaitsForTheOpenBreakerThenCompletesAfterTheReset() {
    db.execute("UPDATE {schema}._migration_circuit_breakers SET state = 'open'");
    MigrationWorkflow workflow = temporal.start("breaker", DROP, Strategy.EXPAND_CONTRACT,
        MigrationOptions.defaults().withRemovalAfter(Duration.ZERO));
    workflow.awaitPlan();
    await(workflow, WaitingFor.BREAKER);
    save("breaker-waiting", "breaker");

    db.execute("UPDATE {schema}._migration_circuit_breakers SET state = 'closed', failure_count = 0");
    workflow.breakerReset();
    await(workflow, WaitingFor.DEPLOYMENT);
    workflow.deployed(new DeploymentSignal("v1", null));
    await(workflow, WaitingFor.APPROVAL);
    workflow.approve(new ApprovalRequest("recorder", null));
    assertThat(result(workflow).outcome()).isEqualTo(Outcome.COMPLETED);
    save("breaker-reset-completed", "breaker");
  }

  // ---------------------------------------------------------------- automatic plan

  @Test
  void anAutomaticPlanWaitsMidPlanThenCompletes() {
    String sql = """
        BEGIN;
        CREATE TABLE {schema}.audit (id bigserial PRIMARY KEY, what text);
        CREATE INDEX orders_customer ON {schema}.orders (customer_id);
        UPDATE {schema}.orders SET status = 'unknown' WHERE status IS NULL;
        ALTER TABLE {schema}.orders RENAME COLUMN note TO remark;
        ALTER TABLE {schema}.orders ADD CONSTRAINT orders_quantity_positive CHECK (quantity >= 0);
        ALTER TABLE {schema}.users DROP COLUMN legacy_field;
        COMMIT;
        """;
    MigrationWorkflow workflow = temporal.start("plan", sql, null, MigrationOptions.defaults().withRemovalAfter(Duration.ZERO));
    assertThat(workflow.awaitPlan().steps()).hasSize(6);
    await(workflow, WaitingFor.DEPLOYMENT_READS);
    save("automatic-plan-waiting-mid-plan", "plan");
    workflow.deployed(new DeploymentSignal("v2", "reads"));
    await(workflow, WaitingFor.DEPLOYMENT_WRITES);
    workflow.deployed(new DeploymentSignal("v2", "writes"));
    await(workflow, WaitingFor.APPROVAL);
    workflow.approve(new ApprovalRequest("recorder", "rename"));
    await(workflow, WaitingFor.DEPLOYMENT);
    workflow.deployed(new DeploymentSignal("v3", null));
    await(workflow, WaitingFor.APPROVAL);
    workflow.approve(new ApprovalRequest("recorder", "drop"));
    assertThat(result(workflow).outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.orders WHERE status IS NULL")).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM " + Identifiers.quote(ArchiveNames.of(new TableRef(db.schema(), "users"), "legacy_field").table()))).isEqualTo(2000);
    save("automatic-plan-completed", "plan");
  }

  @Test
  void aRefusedMigrationEndsBeforeAnythingRuns() {
    MigrationWorkflow workflow = temporal.start("refused", "TRUNCATE {schema}.orders;", null, MigrationOptions.defaults());
    assertThatThrownBy(workflow::awaitPlan).hasStackTraceContaining("TRUNCATE");
    assertThatThrownBy(() -> result(workflow)).isInstanceOf(WorkflowFailedException.class);
    save("refused", "refused");
  }

  // ---------------------------------------------------------------- helpers

  private void await(MigrationWorkflow workflow, String waitingFor) {
    temporal.awaitStatus(workflow, s -> waitingFor.equals(s.waitingFor()));
  }

  private static MigrationResult result(MigrationWorkflow workflow) {
    return WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class);
  }

  /** Saves the parent and every child it started, each replayed against this release first. */
  private void save(String scenario, String migrationId) {
    sleepQuietly(SETTLE);
    String parentId = ZdmNames.workflowId(migrationId);
    WorkflowExecutionHistory parent = temporal.client().fetchHistory(parentId);
    write(scenario + "-parent", parent);
    for (HistoryEvent event : parent.getEvents()) {
      if (event.getEventType() == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED) {
        String childId = event.getStartChildWorkflowExecutionInitiatedEventAttributes().getWorkflowId();
        String suffix = childId.substring(parentId.length() + 1);
        write(scenario + "-child-" + suffix, temporal.client().fetchHistory(childId));
      }
    }
  }

  private void write(String name, WorkflowExecutionHistory history) {
    String type = history.getEvents().get(0).getWorkflowExecutionStartedEventAttributes().getWorkflowType().getName();
    Class<?> implementation = IMPLEMENTATIONS.get(type);
    assertThat(implementation).as("implementation of workflow type %s", type).isNotNull();
    try {
      WorkflowReplayer.replayWorkflowExecution(history, implementation);
      Files.writeString(OUTPUT.resolve(name + ".json"), history.toJson(true));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new AssertionError(name + " does not replay on the code that recorded it", e);
    }
  }

  private void awaitClosed(String workflowId) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (!closedRuns(workflowId).isEmpty()) {
        return;
      }
      temporal.env.sleep(Duration.ofMillis(200));
    }
    throw new AssertionError(workflowId + " never closed");
  }

  private List<WorkflowExecutionInfo> closedRuns(String workflowId) {
    WorkflowClient client = temporal.client();
    return client.getWorkflowServiceStubs().blockingStub().listClosedWorkflowExecutions(
        ListClosedWorkflowExecutionsRequest.newBuilder()
            .setNamespace(client.getOptions().getNamespace())
            .setExecutionFilter(WorkflowExecutionFilter.newBuilder().setWorkflowId(workflowId))
            .build()).getExecutionsList();
  }

  private static void sleepQuietly(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
