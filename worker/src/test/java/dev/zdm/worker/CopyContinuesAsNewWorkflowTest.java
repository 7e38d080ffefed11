package dev.zdm.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.backfill.BatchSettings;
import dev.zdm.bluegreen.BlueGreenRequest;
import dev.zdm.bluegreen.BlueGreenWorkflow;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.MigrationStatus;
import dev.zdm.model.Outcome;
import dev.zdm.model.Strategy;
import dev.zdm.model.TableRef;
import dev.zdm.model.ThrottleRequest;
import dev.zdm.model.WaitingFor;
import dev.zdm.temporal.ZdmNames;
import dev.zdm.testing.TestDatabase;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A blue-green copy that continues as new goes on from the cursor in its progress row, against
 * real PostgreSQL: paused halfway, the run hands over (still paused) and the next run copies only
 * the rest, then verifies, switches and drops once.
 */
class CopyContinuesAsNewWorkflowTest {
  private static final int ROWS = 3_000;

  private TestDatabase db;
  private WorkflowTestEnvironment temporal;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create("copy_can");
    db.execute("""
        CREATE TABLE {schema}.items (id bigint PRIMARY KEY, label text NOT NULL);
        INSERT INTO {schema}.items SELECT n, 'item ' || n FROM generate_series(1, %d) n;
        """.formatted(ROWS));
    temporal = new WorkflowTestEnvironment(db);
  }

  @AfterEach
  void tearDown() {
    temporal.close();
    db.close();
  }

  @Test
  void aCopyPausedHalfwayContinuesAsNewAndTheNextRunCopiesOnlyTheRest() {
    String workflowId = ZdmNames.childWorkflowId("pg-bg-can", 1, Strategy.BLUE_GREEN);
    BlueGreenWorkflow workflow = temporal.client().newWorkflowStub(BlueGreenWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(workflowId).setTaskQueue(WorkflowTestEnvironment.TASK_QUEUE).build());
    WorkflowClient.start(workflow::run, new BlueGreenRequest("pg-bg-can", new TableRef(db.schema(), "items"),
        List.of("ALTER TABLE \"" + db.schema() + "\".items ADD COLUMN note text"),
        new MigrationOptions(null, null, null, false, false), "blue-green-step-1",
        BatchSettings.MIN_CONTINUE_AS_NEW_AFTER_EVENTS, null));
    // Small, slow batches: the copy lasts long enough to be paused halfway.
    workflow.throttle(new ThrottleRequest(100, 50));
    awaitRowsCopied(scanned -> scanned > 0);

    workflow.pause();
    await(workflow, s -> WaitingFor.RESUME.equals(s.waitingFor()) && currentRunContinued(workflowId));
    long copiedBefore = rowsScanned();
    assertThat(copiedBefore).as("paused halfway").isBetween(1L, ROWS - 1L);
    assertThat(db.queryString("SELECT status FROM {schema}._migration_progress WHERE step = 'blue-green-step-1-copy'"))
        .isEqualTo("paused");

    workflow.resume();
    MigrationResult result = WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(rowsScanned()).as("the next run went on from the cursor: no row read twice").isEqualTo(ROWS);
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.items WHERE label = 'item ' || id")).isEqualTo(ROWS);
    assertThat(db.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_schema = '"
        + db.schema() + "' AND table_name = 'items' AND column_name = 'note'")).isEqualTo(1);
    assertThat(db.queryLong("SELECT count(*) FROM information_schema.tables WHERE table_schema = '"
        + db.schema() + "' AND table_name LIKE 'items_zdm_%'")).as("green and old tables gone").isZero();
    assertThat(result.steps()).extracting(s -> s.name())
        .containsExactly("check", "create-green", "sync", "copy", "verify", "fidelity-check", "switch",
            "fidelity-check-before-drop", "drop-old");
  }

  private long rowsScanned() {
    return db.queryLong("SELECT rows_scanned FROM {schema}._migration_progress WHERE step = 'blue-green-step-1-copy'");
  }

  private void awaitRowsCopied(Predicate<Long> condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      Long scanned = db.queryLong("SELECT COALESCE(max(rows_scanned), 0) FROM {schema}._migration_progress"
          + " WHERE step = 'blue-green-step-1-copy'");
      if (condition.test(scanned)) {
        return;
      }
      assertThat(System.nanoTime()).as("rows copied so far: %s", scanned).isLessThan(deadline);
      temporal.env.sleep(Duration.ofMillis(50));
    }
  }

  private void await(BlueGreenWorkflow workflow, Predicate<MigrationStatus> condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    MigrationStatus status = null;
    while (System.nanoTime() < deadline) {
      status = workflow.status();
      if (status != null && condition.test(status)) {
        return;
      }
      temporal.env.sleep(Duration.ofMillis(100));
    }
    throw new AssertionError("status never matched; last: " + status);
  }

  private boolean currentRunContinued(String workflowId) {
    HistoryEvent first = temporal.client().fetchHistory(workflowId).getEvents().get(0);
    return !first.getWorkflowExecutionStartedEventAttributes().getContinuedExecutionRunId().isEmpty();
  }
}
