package dev.zdm.engine.progressive;

import static dev.zdm.testing.TemporalTestEnv.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.backfill.BatchSettings;
import dev.zdm.engine.activities.DdlActivitiesImpl;
import dev.zdm.engine.backfill.BackfillActivitiesImpl;
import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.MigrationStatus;
import dev.zdm.model.Outcome;
import dev.zdm.model.TableRef;
import dev.zdm.model.WaitingFor;
import dev.zdm.progressive.ProgressiveChange.Attach;
import dev.zdm.progressive.ProgressiveChange.BatchedDelete;
import dev.zdm.progressive.ProgressiveChange.BatchedUpdate;
import dev.zdm.progressive.ProgressiveChange.IndexBuild;
import dev.zdm.progressive.ProgressiveChange.ValidatedConstraint;
import dev.zdm.progressive.ProgressiveChange;
import dev.zdm.progressive.ProgressiveRequest;
import dev.zdm.progressive.ProgressiveWorkflow;
import dev.zdm.progressive.ProgressiveWorkflowImpl;
import dev.zdm.testing.TemporalTestEnv;
import dev.zdm.testing.TestDatabase;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.filter.v1.WorkflowExecutionFilter;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Progressive end to end on the real PostgreSQL. */
class ProgressiveWorkflowTest {
  static final BatchSettings BATCHES =
      new BatchSettings(300, 0, null, null, null, null, null, null, Duration.ofMillis(300), null);

  private TestDatabase db;
  private TemporalTestEnv temporal;

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabase.create("progressive");
    temporal =
        new TemporalTestEnv(
            new Class<?>[] {ProgressiveWorkflowImpl.class},
            new ProgressiveActivitiesImpl(db.target()),
            new BackfillActivitiesImpl(db.target()),
            new DdlActivitiesImpl(db.target()));
  }

  @AfterEach
  void tearDown() throws Exception {
    temporal.close();
    db.close();
  }

  private ProgressiveRequest request(String id, String table, ProgressiveChange change, BatchSettings batches) {
    return new ProgressiveRequest(
        id, new TableRef(db.schema(), table), change, batches, MigrationOptions.defaults(), null);
  }

  @Test
  void batchedDeleteOverACompositeKeyStopsAtTheRolloutPercentageUntilApproved() throws Exception {
    db.sql(
        "CREATE TABLE events (tenant integer, id bigint, kind text NOT NULL, PRIMARY KEY (tenant, id))",
        "INSERT INTO events SELECT g % 7, g, CASE WHEN g % 3 = 0 THEN 'junk' ELSE 'keep' END FROM generate_series(1, 12000) g");
    ProgressiveWorkflow workflow = temporal.newWorkflow(ProgressiveWorkflow.class, "zdm-purge");
    BatchSettings tenPercent =
        new BatchSettings(300, 0, null, 10, null, null, null, null, Duration.ofMillis(300), null);
    WorkflowClient.start(workflow::run, request("purge", "events", new BatchedDelete("kind = 'junk'"), tenPercent));

    MigrationStatus gate = awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()), "the rollout gate");
    assertThat(gate.progress().rowsDone()).isBetween(1_100L, 1_300L);
    long junkLeft = db.count("SELECT count(*) FROM events WHERE kind = 'junk'");
    assertThat(junkLeft).as("only the first 10 %% of the key range").isBetween(3_500L, 3_700L);
    workflow.approve(new ApprovalRequest("test", "looks fine"));

    MigrationResult result = WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class);
    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(db.count("SELECT count(*) FROM events WHERE kind = 'junk'")).isZero();
    assertThat(db.count("SELECT count(*) FROM events WHERE kind = 'keep'")).isEqualTo(8_000);
    assertThat(db.value("SELECT status FROM _migration_progress WHERE migration_id = 'purge'")).isEqualTo("completed");
    assertThat(db.value("SELECT rows_affected FROM _migration_progress WHERE migration_id = 'purge'")).isEqualTo("4000");
  }

  @Test
  void batchedUpdateUnderConcurrentWritesContinuesAsNewAndVerifies() throws Exception {
    db.sql(
        "CREATE TABLE items (id bigint PRIMARY KEY, status text, price integer NOT NULL)",
        "INSERT INTO items SELECT g, NULL, g % 100 FROM generate_series(1, 15000) g");
    AtomicBoolean writing = new AtomicBoolean(true);
    Thread app = new Thread(() -> {
      try (var connection = db.connection(); var statement = connection.createStatement()) {
        long id = 100_000;
        // Unthrottled: it inserts faster than 100-row batches scan, so the run ends only because
        // the pass stops at the key the table ended at when it began (new rows are not pending).
        while (writing.get()) {
          // The application already writes the new column for the rows it inserts.
          statement.execute("INSERT INTO \"" + db.schema() + "\".items VALUES (" + id++ + ", 'cheap', 5)");
          statement.execute("UPDATE \"" + db.schema() + "\".items SET price = price + 1 WHERE id = " + (id % 15000 + 1));
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    app.start();
    ProgressiveWorkflow workflow = temporal.newWorkflow(ProgressiveWorkflow.class, "zdm-status");
    // A tiny history budget so the run continues as new several times.
    MigrationResult result;
    try {
      result = workflow.run(request("status", "items",
          new BatchedUpdate("status = CASE WHEN price >= 50 THEN 'dear' ELSE 'cheap' END", "status IS NULL"),
          new BatchSettings(100, 5, null, null, false, null, null, null, Duration.ofMillis(100), 30)));
    } finally {
      writing.set(false);
      app.join();
    }
    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(result.steps()).extracting(step -> step.name()).contains("batches", "verify");
    assertThat(db.count("SELECT count(*) FROM items WHERE status IS NULL")).isZero();
    assertThat(db.count("SELECT count(*) FROM items WHERE id <= 15000 AND price = id % 100"
        + " AND status <> CASE WHEN price >= 50 THEN 'dear' ELSE 'cheap' END")).isZero();
    var closed = temporal.client().getWorkflowServiceStubs().blockingStub().listClosedWorkflowExecutions(
        ListClosedWorkflowExecutionsRequest.newBuilder()
            .setNamespace(temporal.client().getOptions().getNamespace())
            .setExecutionFilter(WorkflowExecutionFilter.newBuilder().setWorkflowId("zdm-status"))
            .build());
    assertThat(closed.getExecutionsList())
        .filteredOn(run -> run.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW)
        .as("runs that continued as new")
        .isNotEmpty();
  }

  @Test
  void uniqueIndexAfterAFailedBuildDropsTheInvalidIndexThenAttachesTheConstraint() throws Exception {
    db.sql(
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, created_at integer NOT NULL)",
        "INSERT INTO users SELECT g, 'u' || g || '@x', g FROM generate_series(1, 5000) g",
        "INSERT INTO users VALUES (5001, 'u1@x', 5001)");
    // A first build fails on the duplicate and leaves an INVALID index behind, as in production.
    assertThatThrownBy(() -> db.sql("CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email)"))
        .hasMessageContaining("could not create unique index");
    assertThat(db.value("SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_email_key'::regclass")).isEqualTo("f");
    db.sql("DELETE FROM users WHERE id = 5001");

    ProgressiveWorkflow workflow = temporal.newWorkflow(ProgressiveWorkflow.class, "zdm-index");
    MigrationResult result = workflow.run(request("index", "users",
        new IndexBuild("users_email_key", "(email)", true, null, "created_at > 4000", Attach.UNIQUE, "users_email_key"),
        BATCHES));
    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(db.value("SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_email_key'::regclass")).isEqualTo("t");
    assertThat(db.value("SELECT contype FROM pg_constraint WHERE conname = 'users_email_key'")).isEqualTo("u");
    assertThat(db.value("SELECT to_regclass('users_email_key_zdm_partial')")).isNull();
    assertThatThrownBy(() -> db.sql("INSERT INTO users VALUES (9999, 'u1@x', 1)")).hasMessageContaining("users_email_key");
  }

  @Test
  void foreignKeyIsAddedNotValidThenValidated() throws Exception {
    db.sql(
        "CREATE TABLE owners (id bigint PRIMARY KEY)",
        "INSERT INTO owners SELECT generate_series(1, 100)",
        "CREATE TABLE pets (id bigint PRIMARY KEY, owner_id bigint)",
        "INSERT INTO pets SELECT g, g % 100 + 1 FROM generate_series(1, 3000) g");
    ProgressiveWorkflow workflow = temporal.newWorkflow(ProgressiveWorkflow.class, "zdm-fk");
    MigrationResult result = workflow.run(request("fk", "pets",
        new ValidatedConstraint("pets_owner_fk", "FOREIGN KEY (owner_id) REFERENCES \"" + db.schema() + "\".owners (id)"),
        BATCHES));
    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(db.value("SELECT convalidated FROM pg_constraint WHERE conname = 'pets_owner_fk'")).isEqualTo("t");
  }

  @Test
  void aCheckThatExistingRowsViolateFailsAndIsRemoved() throws Exception {
    db.sql("CREATE TABLE prices (id bigint PRIMARY KEY, amount integer)", "INSERT INTO prices VALUES (1, 5), (2, -1)");
    ProgressiveWorkflow workflow = temporal.newWorkflow(ProgressiveWorkflow.class, "zdm-check");
    assertThatThrownBy(() -> workflow.run(request("check", "prices",
        new ValidatedConstraint("prices_positive", "CHECK (amount >= 0)"), BATCHES)))
        .isInstanceOf(WorkflowFailedException.class);
    assertThat(db.value("SELECT count(*) FROM pg_constraint WHERE conname = 'prices_positive'")).isEqualTo("0");
  }
}
