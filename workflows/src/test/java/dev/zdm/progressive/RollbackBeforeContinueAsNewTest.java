package dev.zdm.progressive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.backfill.BackfillChunk;
import dev.zdm.backfill.BatchSettings;
import dev.zdm.fakes.FakeTemporal;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.TableRef;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A rollback that arrives during the chunk after which the run would continue as new is not lost:
 * release 0.1 continued as new without looking and the new run finished the batches.
 */
class RollbackBeforeContinueAsNewTest {
  private static final String CHUNK = "BackfillChunk progressive";
  private static final int CONTINUE_AS_NEW_AFTER = BatchSettings.MIN_CONTINUE_AS_NEW_AFTER_EVENTS;
  /** Events one more chunk adds: its activity and the workflow task that reacts to it. */
  private static final int EVENTS_PER_CHUNK = 6;

  private final FakeTemporal temporal = new FakeTemporal();

  @AfterEach
  void tearDown() {
    temporal.close();
  }

  @Test
  void aRollbackInTheChunkBeforeContinueAsNewStopsTheBatchesInsteadOfBeingDropped() throws Exception {
    temporal.script.gate(CHUNK, new BackfillChunk(10, 10, 1_000, 1, 100, 100, 0, null, BackfillChunk.End.TIME_UP));
    String workflowId = "zdm-can-rollback-1-progressive";
    ProgressiveWorkflow workflow = temporal.client().newWorkflowStub(ProgressiveWorkflow.class,
        WorkflowOptions.newBuilder().setTaskQueue(FakeTemporal.TASK_QUEUE).setWorkflowId(workflowId).build());
    var started = WorkflowClient.start(workflow::run, new ProgressiveRequest("can-rollback", TableRef.of("orders"),
        new ProgressiveChange.BatchedUpdate("c = 0", "c IS NULL"),
        BatchSettings.defaults().withContinueAsNewAfterEvents(CONTINUE_AS_NEW_AFTER),
        MigrationOptions.defaults(), null));

    boolean rollbackSent = false;
    for (int chunk = 1; !rollbackSent; chunk++) {
      awaitCalls(CHUNK, chunk);
      int events = temporal.client().fetchHistory(workflowId).getEvents().size();
      if (events + EVENTS_PER_CHUNK > CONTINUE_AS_NEW_AFTER) {
        workflow.rollback(new RollbackRequest("tester", "stop before the new run"));
        rollbackSent = true;
      }
      temporal.script.release(CHUNK);
    }

    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);
    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    List<HistoryEvent> events = temporal.client().fetchHistory(workflowId, started.getRunId()).getEvents();
    assertThat(events).noneMatch(event ->
        event.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
    long lastChunkDone = events.stream()
        .filter(event -> event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
        .mapToLong(HistoryEvent::getEventId).max().orElseThrow();
    assertThat(lastChunkDone)
        .as("the run was past its continue-as-new threshold when the rollback was decided")
        .isGreaterThan(CONTINUE_AS_NEW_AFTER);
    assertThat(temporal.script.calls()).contains("EndBackfill progressive cancelled");
    assertThat(workflow.status().phase()).isEqualTo("rolled-back-partially");
  }

  private void awaitCalls(String call, int times) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (temporal.script.count(call) < times) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + temporal.script.count(call) + " calls of " + call);
      }
      Thread.sleep(20);
    }
  }

}
