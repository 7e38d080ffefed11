package dev.zdm.engine.dualwrite;

import static dev.zdm.testing.TemporalTestEnv.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.TableRef;
import dev.zdm.model.ThrottleRequest;
import dev.zdm.model.WaitingFor;
import dev.zdm.testing.AccountsTable;
import dev.zdm.testing.AppWriters;
import dev.zdm.testing.TemporalTestEnv;
import dev.zdm.testing.TestDatabase;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Dual-write end to end on the real PostgreSQL, with the application writing throughout. */
class DualWriteWorkflowTest {
  static final int ROWS = 20_000;
  /** Small batches and short chunks so the run has many batches and reports often. */
  static final BatchSettings BATCHES =
      new BatchSettings(500, 0, null, null, null, null, null, null, Duration.ofMillis(500), null);

  private TestDatabase db;
  private TemporalTestEnv temporal;
  private final AtomicInteger crashes = new AtomicInteger();

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabase.create("dualwrite");
    db.sql(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, amount integer NOT NULL, note text)",
        "INSERT INTO accounts SELECT g, g % 1000, 'seed' FROM generate_series(1, " + ROWS + ") g",
        "ANALYZE accounts");
  }

  private void startWorker(BackfillActivitiesImpl backfill) {
    temporal =
        new TemporalTestEnv(
            new Class<?>[] {DualWriteWorkflowImpl.class},
            new DualWriteActivitiesImpl(db.target()),
            backfill,
            new DdlActivitiesImpl(db.target()));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (temporal != null) {
      temporal.close();
    }
    db.close();
  }

  private TableRef accounts() {
    return new AccountsTable(db).ref();
  }

  private String qualified() {
    return new AccountsTable(db).qualified();
  }

  private static Map<Long, Long> seed() {
    return AccountsTable.seedAmounts(ROWS);
  }

  private DualWriteRequest request(String id, DualWriteKind kind, String oldColumn, String newColumn, String newType) {
    return new DualWriteRequest(
        id, kind, accounts(), oldColumn, newColumn, newType, null, null, null, BATCHES,
        MigrationOptions.defaults(), null);
  }

  @Test
  void renameInUseKeepsEveryWriteThroughBothDeployments() throws Exception {
    startWorker(new BackfillActivitiesImpl(db.target()));
    DualWriteWorkflow workflow = temporal.newWorkflow(DualWriteWorkflow.class, "zdm-rename");
    try (AppWriters app = new AppWriters(qualified(), "amount", seed(), ROWS + 1, 3).start()) {
      WorkflowClient.start(workflow::run, request("rename", DualWriteKind.RENAME_COLUMN, "amount", "total", null));

      awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()), "the reads gate");
      assertThat(workflow.status().progress().rowsDone()).isGreaterThanOrEqualTo(ROWS);
      workflow.deployed(new DeploymentSignal("v1.1", "reads"));
      awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_WRITES.equals(s.waitingFor()), "the writes gate");
      // The new application writes only the new name; the trigger keeps the old one in step.
      app.switchTo("total");
      app.awaitWrites(200);
      assertThat(db.count("SELECT count(*) FROM accounts WHERE total IS DISTINCT FROM amount")).isZero();
      workflow.deployed(new DeploymentSignal("v1.2", "writes"));
      awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()), "the approval gate");
      app.awaitWrites(100);
      workflow.approve(new ApprovalRequest("test", "go"));

      MigrationResult result = WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class);
      assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
      app.awaitWrites(100);
      app.close();

      assertThat(app.errors()).as("application errors: %s", app.errorSamples()).isZero();
      assertThat(db.column("SELECT attname FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum"))
          .containsExactly("id", "note", "total");
      assertThat(db.count("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'accounts'::regclass")).isZero();
      assertTableHolds("total", app.expected());
    }
  }

  @Test
  void changeTypeKeepsTheNameAndEveryWriteOfTheOldApplication() throws Exception {
    startWorker(new BackfillActivitiesImpl(db.target()));
    DualWriteWorkflow workflow = temporal.newWorkflow(DualWriteWorkflow.class, "zdm-retype");
    try (AppWriters app = new AppWriters(qualified(), "amount", seed(), ROWS + 1, 3).start()) {
      WorkflowClient.start(workflow::run, request("retype", DualWriteKind.CHANGE_TYPE, "amount", null, "bigint"));
      awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()), "the reads gate");
      // The old column was NOT NULL, so the new one became NOT NULL the safe way.
      assertThat(db.value("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname = 'amount_zdm_new'")).isEqualTo("t");
      workflow.deployed(new DeploymentSignal("v2", null));
      awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_WRITES.equals(s.waitingFor()), "the writes gate");
      workflow.deployed(new DeploymentSignal("v2", null));
      awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()), "the approval gate");
      workflow.approve(new ApprovalRequest("test", null));
      assertThat(WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class).outcome())
          .isEqualTo(Outcome.COMPLETED);
      // The old application went on writing "amount" across the cut-over.
      app.awaitWrites(100);
      app.close();
      assertThat(app.errors()).as("application errors: %s", app.errorSamples()).isZero();
      assertThat(db.value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname = 'amount'"))
          .isEqualTo("bigint");
      assertThat(db.value("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname = 'amount'")).isEqualTo("t");
      assertTableHolds("amount", app.expected());
    }
  }

  @Test
  void rollbackMidBackfillRestoresTheOriginalSchemaWithWritesMadeThroughTheNewColumn() throws Exception {
    startWorker(new BackfillActivitiesImpl(db.target()));
    DualWriteWorkflow workflow = temporal.newWorkflow(DualWriteWorkflow.class, "zdm-rollback");
    // Fixed, slow batches so the rollback lands in the middle of the backfill.
    DualWriteRequest slow =
        new DualWriteRequest(
            "rollback", DualWriteKind.CHANGE_TYPE, accounts(), "amount", "amount_big", "bigint",
            null, null, null,
            new BatchSettings(100, 20, null, null, false, null, null, null, Duration.ofMillis(500), null),
            MigrationOptions.defaults(), null);
    WorkflowClient.start(workflow::run, slow);
    awaitStatus(workflow, s -> s.progress() != null && s.progress().rowsDone() > 0, "backfill progress");
    // Live control reaches the running batches.
    workflow.throttle(new ThrottleRequest(50, 20));
    awaitStatus(workflow, s -> s.progress() != null && s.progress().batchSize() == 50, "the throttled batch size");
    try (AppWriters app = new AppWriters(qualified(), "amount_big", seed(), ROWS + 1, 3).start()) {
      // Writes that reach only the new column while the backfill runs.
      app.awaitWrites(300);
      // Rolling back means the old application version again, then the rollback request.
      app.switchTo("amount");
      app.awaitWrites(50);
      workflow.rollback(new RollbackRequest("test", "changed our mind"));
      MigrationResult result = WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class);
      assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
      app.close();
      long done = Long.parseLong(db.value("SELECT rows_scanned FROM _migration_progress WHERE migration_id = 'rollback'"));
      assertThat(done).as("rolled back mid-way").isLessThan(ROWS);
      assertThat(db.value("SELECT status FROM _migration_progress WHERE migration_id = 'rollback'")).isEqualTo("cancelled");
      assertThat(db.column("SELECT attname FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum"))
          .containsExactly("id", "amount", "note");
      assertThat(db.count("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'accounts'::regclass")).isZero();
      // Inserts that named only the new column passed amount's NOT NULL: the trigger filled it.
      assertThat(app.errors()).as("application errors: %s", app.errorSamples()).isZero();
      assertTableHolds("amount", app.expected());
    }
  }

  @Test
  void addNotNullFillsExistingAndNewRowsThenEnforcesWithoutAScanUnderLock() throws Exception {
    startWorker(new BackfillActivitiesImpl(db.target()));
    DualWriteWorkflow workflow = temporal.newWorkflow(DualWriteWorkflow.class, "zdm-notnull");
    try (AppWriters app = new AppWriters(qualified(), "amount", seed(), ROWS + 1, 2).start()) {
      WorkflowClient.start(
          workflow::run,
          new DualWriteRequest(
              "notnull", DualWriteKind.ADD_NOT_NULL, accounts(), "amount", "size_class", "text",
              "CASE WHEN {old} >= 500 THEN 'big' ELSE 'small' END", null, "'small'", BATCHES,
              MigrationOptions.defaults(), null));
      awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()), "the reads gate");
      workflow.deployed(new DeploymentSignal("v3", "reads"));
      workflow.deployed(new DeploymentSignal("v3", "writes"));
      awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()), "the approval gate");
      workflow.approve(new ApprovalRequest("test", null));
      assertThat(WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class).outcome())
          .isEqualTo(Outcome.COMPLETED);
      app.close();
      assertThat(app.errors()).as("application errors: %s", app.errorSamples()).isZero();
      assertThat(db.value("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname = 'size_class'")).isEqualTo("t");
      assertThat(db.count("SELECT count(*) FROM pg_constraint WHERE conrelid = 'accounts'::regclass AND contype = 'c'")).isZero();
      assertThat(db.value("SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = 'accounts'::regclass AND a.attname = 'size_class'"))
          .isEqualTo("'small'::text");
      // Rows the application never touched were filled by the backfill from their value.
      assertThat(db.count("SELECT count(*) FROM accounts WHERE note = 'seed' AND amount = id % 1000 AND size_class <> CASE WHEN amount >= 500 THEN 'big' ELSE 'small' END")).isZero();
      assertThat(db.count("SELECT count(*) FROM accounts WHERE size_class IS NULL")).isZero();
    }
  }

  @Test
  void aWorkerCrashMidBackfillResumesAfterTheLastCommittedBatch() throws Exception {
    db.sql(
        "ALTER TABLE accounts ADD COLUMN touches integer NOT NULL DEFAULT 0",
        """
        CREATE FUNCTION count_touch() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN NEW.touches := OLD.touches + 1; RETURN NEW; END $$
        """,
        "CREATE TRIGGER count_touch BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION count_touch()");
    // The first attempt dies after its 5th batch, as a killed worker would: no return, no last heartbeat.
    startWorker(
        new BackfillActivitiesImpl(
            db.target(),
            (backfill, batch) -> {
              if (batch == 5 && crashes.getAndIncrement() == 0) {
                throw new IllegalStateException("simulated worker crash after batch 5");
              }
            }));
    DualWriteWorkflow workflow = temporal.newWorkflow(DualWriteWorkflow.class, "zdm-crash");
    WorkflowClient.start(workflow::run, request("crash", DualWriteKind.RENAME_COLUMN, "amount", "total", null));
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()), "the reads gate");
    assertThat(crashes.get()).isEqualTo(1);
    // Each row was updated exactly once by the backfill: the resumed attempt redid no batch.
    assertThat(db.value("SELECT max(touches) FROM accounts")).isEqualTo("1");
    assertThat(db.count("SELECT count(*) FROM accounts WHERE touches = 1")).isEqualTo(ROWS);
    assertThat(db.count("SELECT count(*) FROM accounts WHERE total IS DISTINCT FROM amount")).isZero();
    workflow.rollback(new RollbackRequest("test", "done"));
    WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class);
  }

  @Test
  void aTableWithoutPrimaryKeyIsRefused() throws Exception {
    db.sql("CREATE TABLE nokey (amount integer)", "INSERT INTO nokey VALUES (1)");
    startWorker(new BackfillActivitiesImpl(db.target()));
    DualWriteWorkflow workflow = temporal.newWorkflow(DualWriteWorkflow.class, "zdm-nokey");
    DualWriteRequest request =
        new DualWriteRequest(
            "nokey", DualWriteKind.RENAME_COLUMN, new TableRef(db.schema(), "nokey"), "amount",
            "total", null, null, null, null, BATCHES, MigrationOptions.defaults(), null);
    assertThatThrownBy(() -> workflow.run(request))
        .isInstanceOf(WorkflowFailedException.class)
        .rootCause()
        .hasMessageContaining("has no primary key");
    assertThat(db.column("SELECT attname FROM pg_attribute WHERE attrelid = 'nokey'::regclass AND attnum > 0 AND NOT attisdropped"))
        .isEqualTo(List.of("amount"));
  }

  private void assertTableHolds(String column, Map<Long, Long> expected) throws Exception {
    Map<Long, Long> actual = new HashMap<>();
    try (var connection = db.connection();
        var statement = connection.createStatement();
        var rows = statement.executeQuery("SELECT id, " + column + " FROM " + qualified())) {
      while (rows.next()) {
        actual.put(rows.getLong(1), rows.getLong(2));
      }
    }
    assertThat(actual).as("every write kept, none lost, none stale").isEqualTo(expected);
  }
}
