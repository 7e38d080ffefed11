package dev.zdm.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.bluegreen.BlueGreenRequest;
import dev.zdm.bluegreen.BlueGreenWorkflow;
import dev.zdm.expandcontract.ExpandContractRequest;
import dev.zdm.expandcontract.ExpandContractWorkflow;
import dev.zdm.fakes.FakeTemporal;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.StepRecord;
import dev.zdm.model.TableRef;
import dev.zdm.model.ThrottleRequest;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.converter.GlobalDataConverter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A blue-green copy or comparison and an expand-contract archive copy continue as new once their
 * history is long (a copy of days would pass Temporal's 50k events): the new run goes on with the
 * pass it was in, does none of the earlier steps again, keeps the live control, and a rollback in
 * a later run still undoes everything.
 */
class CopiesContinueAsNewTest {
  private static final TableRef USERS = TableRef.of("users");
  private static final int CONTINUE_AS_NEW_AFTER = BatchSettings.MIN_CONTINUE_AS_NEW_AFTER_EVENTS;
  private static final String COPY = "BackfillChunk blue-green-step-1-copy";
  private static final String VERIFY = "BackfillChunk blue-green-step-1-verify";
  private static final String ARCHIVE = "BackfillChunk expand-contract-step-1-archive";
  private static final BackfillChunk MORE_TO_DO =
      new BackfillChunk(10, 10, 1_000, 1, 100, 100, 0, null, BackfillChunk.End.TIME_UP);
  private static final BackfillChunk PASS_DONE =
      new BackfillChunk(1_000, 1_000, 1_000, 1, 100, 100, 0, null, BackfillChunk.End.FINISHED);

  private final FakeTemporal temporal = new FakeTemporal();

  @AfterEach
  void tearDown() {
    temporal.close();
  }

  @Test
  void aLongBlueGreenCopyAndComparisonContinueAsNewAndSwitchOnce() throws Exception {
    CountDownLatch throttled = new CountDownLatch(1);
    AtomicInteger copies = new AtomicInteger();
    temporal.script.when(COPY, normal -> {
      int call = copies.incrementAndGet();
      if (call == 1) {
        await(throttled);
      }
      return call < 12 ? MORE_TO_DO : PASS_DONE;
    });
    AtomicInteger comparisons = new AtomicInteger();
    temporal.script.when(VERIFY, normal -> comparisons.incrementAndGet() < 8 ? MORE_TO_DO : PASS_DONE);
    String workflowId = "zdm-can-bg-blue-green";
    BlueGreenWorkflow workflow = stub(BlueGreenWorkflow.class, workflowId);
    WorkflowClient.start(workflow::run, new BlueGreenRequest("can-bg", USERS,
        List.of("ALTER TABLE users ADD COLUMN x int"), FakeTemporal.STRAIGHT_THROUGH,
        "blue-green-step-1", CONTINUE_AS_NEW_AFTER, null));
    temporal.script.awaitCall(COPY);
    workflow.throttle(new ThrottleRequest(500, 50));
    awaitThrottleWritten();
    throttled.countDown();

    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(continuedRuns(workflowId)).as("runs that continued as new").isGreaterThanOrEqualTo(2);
    assertThat(passesCarried(workflowId)).as("passes the runs continued as new in")
        .contains(BlueGreenRequest.COPY, BlueGreenRequest.VERIFY)
        .containsSubsequence(BlueGreenRequest.COPY, BlueGreenRequest.VERIFY);
    for (String once : List.of("BlueGreenCheck", "BlueGreenCreateGreen", "BlueGreenInstallSync",
        "BlueGreenGreenTable", "BlueGreenSwitch", "BlueGreenDropOld")) {
      assertThat(temporal.script.count(once)).as(once).isEqualTo(1);
    }
    assertThat(temporal.script.count(COPY)).isEqualTo(12);
    assertThat(temporal.script.count(VERIFY)).isEqualTo(8);
    assertThat(temporal.script.calls()).doesNotContain("BlueGreenRevert", "BlueGreenCopy", "BlueGreenVerify");
    assertThat(result.steps()).extracting(StepRecord::name)
        .containsExactly("check", "create-green", "sync", "copy", "verify", "fidelity-check", "switch",
            "fidelity-check-before-drop", "drop-old");
    assertThat(controlsAfterTheThrottle())
        .as("every later run writes the throttle it carried").allMatch(c -> c.batchSize() == 500);
  }

  @Test
  void aRollbackAfterTheBlueGreenCopyContinuedAsNewRevertsOnce() throws Exception {
    temporal.script.gate(COPY, MORE_TO_DO);
    String workflowId = "zdm-can-bg-rollback-blue-green";
    BlueGreenWorkflow workflow = stub(BlueGreenWorkflow.class, workflowId);
    WorkflowClient.start(workflow::run, new BlueGreenRequest("can-bg-rollback", USERS,
        List.of("ALTER TABLE users ADD COLUMN x int"), FakeTemporal.STRAIGHT_THROUGH,
        "blue-green-step-1", CONTINUE_AS_NEW_AFTER, null));

    rollBackInAContinuedRun(workflowId, COPY, () -> workflow.rollback(new RollbackRequest("tester", "wrong")));
    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(temporal.script.count("BlueGreenRevert")).isEqualTo(1);
    assertThat(temporal.script.calls())
        .containsSubsequence("SetBatchControl paused", "EndBackfill blue-green-step-1-copy cancelled",
            "BlueGreenRevert")
        .doesNotContain(VERIFY, "BlueGreenSwitch", "BlueGreenDropOld");
    assertThat(workflow.status().phase()).isEqualTo("rolled-back");
    assertThat(result.steps()).extracting(StepRecord::name)
        .as("the steps of the first run are kept").startsWith("check", "create-green", "sync");
  }

  @Test
  void aRollbackDuringTheChunkAfterWhichTheCopyWouldContinueAsNewIsActedOnNotCarried() throws Exception {
    temporal.script.gate(COPY, MORE_TO_DO);
    String workflowId = "zdm-can-bg-stop-blue-green";
    BlueGreenWorkflow workflow = stub(BlueGreenWorkflow.class, workflowId);
    var started = WorkflowClient.start(workflow::run, new BlueGreenRequest("can-bg-stop", USERS,
        List.of("ALTER TABLE users ADD COLUMN x int"), FakeTemporal.STRAIGHT_THROUGH,
        "blue-green-step-1", CONTINUE_AS_NEW_AFTER, null));
    temporal.script.awaitCall(COPY);
    assertThat(temporal.client().fetchHistory(workflowId).getEvents().size())
        .as("the first chunk ends past the threshold").isGreaterThan(CONTINUE_AS_NEW_AFTER);

    workflow.rollback(new RollbackRequest("tester", "stop before the new run"));
    temporal.script.release(COPY);
    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(temporal.client().fetchHistory(workflowId, started.getRunId()).getEvents())
        .noneMatch(event -> event.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
    assertThat(temporal.script.count(COPY)).isEqualTo(1);
    assertThat(temporal.script.calls())
        .containsSubsequence("EndBackfill blue-green-step-1-copy cancelled", "BlueGreenRevert");
  }

  @Test
  void aLongArchiveCopyContinuesAsNewAndDropsTheColumnOnce() throws Exception {
    AtomicInteger chunks = new AtomicInteger();
    temporal.script.when(ARCHIVE, normal -> chunks.incrementAndGet() < 12 ? MORE_TO_DO : PASS_DONE);
    String workflowId = "zdm-can-ec-expand-contract";
    ExpandContractWorkflow workflow = stub(ExpandContractWorkflow.class, workflowId);
    WorkflowClient.start(workflow::run, new ExpandContractRequest("can-ec", USERS, "legacy",
        FakeTemporal.STRAIGHT_THROUGH, "expand-contract-step-1", CONTINUE_AS_NEW_AFTER, null));
    workflow.deployed(new DeploymentSignal("v2", null));

    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(continuedRuns(workflowId)).as("runs that continued as new").isGreaterThanOrEqualTo(2);
    for (String once : List.of("DeprecateColumn", "CreateKeptArchive",
        "VerifyBackfill expand-contract-step-1-archive", "DropColumnWithKeptArchive")) {
      assertThat(temporal.script.count(once)).as(once).isEqualTo(1);
    }
    assertThat(temporal.script.count(ARCHIVE)).isEqualTo(12);
    assertThat(temporal.script.calls()).doesNotContain("DropKeptArchive", "RemoveDeprecation", "ArchiveColumn");
    assertThat(result.steps()).extracting(StepRecord::name)
        .containsExactly("deprecate", "deployment", "archive", "fidelity-check", "drop");
  }

  @Test
  void aRollbackAfterTheArchiveCopyContinuedAsNewDropsTheArchiveAndTheDeprecation() throws Exception {
    temporal.script.gate(ARCHIVE, MORE_TO_DO);
    String workflowId = "zdm-can-ec-rollback-expand-contract";
    ExpandContractWorkflow workflow = stub(ExpandContractWorkflow.class, workflowId);
    WorkflowClient.start(workflow::run, new ExpandContractRequest("can-ec-rollback", USERS, "legacy",
        FakeTemporal.STRAIGHT_THROUGH, "expand-contract-step-1", CONTINUE_AS_NEW_AFTER, null));
    workflow.deployed(new DeploymentSignal("v2", null));

    rollBackInAContinuedRun(workflowId, ARCHIVE, () -> workflow.rollback(new RollbackRequest("tester", null)));
    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(temporal.script.count("DropKeptArchive")).isEqualTo(1);
    assertThat(temporal.script.count("RemoveDeprecation")).isEqualTo(1);
    assertThat(temporal.script.calls())
        .containsSubsequence("SetBatchControl paused", "EndBackfill expand-contract-step-1-archive cancelled",
            "DropKeptArchive", "RemoveDeprecation")
        .doesNotContain("VerifyBackfill expand-contract-step-1-archive", "DropColumnWithKeptArchive");
    assertThat(workflow.status().phase()).isEqualTo("rolled-back");
  }

  /**
   * Lets gated chunks through one by one until a chunk runs in a run that was continued as new,
   * then asks for the rollback while that chunk runs, and lets it end.
   */
  private void rollBackInAContinuedRun(String workflowId, String chunk, Runnable rollback)
      throws InterruptedException {
    for (int call = 1; ; call++) {
      awaitCalls(chunk, call);
      // The call was made by the current run: a run that continued had no chunk in flight.
      if (currentRunContinued(workflowId)) {
        rollback.run();
        temporal.script.release(chunk);
        return;
      }
      temporal.script.release(chunk);
      assertThat(call).as("chunks before a run continued as new").isLessThan(50);
    }
  }

  private boolean currentRunContinued(String workflowId) {
    HistoryEvent first = temporal.client().fetchHistory(workflowId).getEvents().get(0);
    return !first.getWorkflowExecutionStartedEventAttributes().getContinuedExecutionRunId().isEmpty();
  }

  /** Walks back from the current run: how many runs before it continued as new. */
  private int continuedRuns(String workflowId) {
    int runs = 0;
    String runId = "";
    while (true) {
      List<HistoryEvent> events = temporal.client().fetchHistory(workflowId, runId).getEvents();
      String previous = events.get(0).getWorkflowExecutionStartedEventAttributes().getContinuedExecutionRunId();
      if (previous.isEmpty()) {
        return runs;
      }
      runs++;
      runId = previous;
    }
  }

  /** The pass each blue-green run that continued as new handed to the next, oldest first. */
  private List<String> passesCarried(String workflowId) {
    List<String> passes = new ArrayList<>();
    String runId = "";
    while (true) {
      List<HistoryEvent> events = temporal.client().fetchHistory(workflowId, runId).getEvents();
      HistoryEvent last = events.get(events.size() - 1);
      if (last.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW) {
        BlueGreenRequest next = GlobalDataConverter.get().fromPayloads(0,
            Optional.of(last.getWorkflowExecutionContinuedAsNewEventAttributes().getInput()),
            BlueGreenRequest.class, BlueGreenRequest.class);
        passes.add(0, next.continued().pass());
      }
      runId = events.get(0).getWorkflowExecutionStartedEventAttributes().getContinuedExecutionRunId();
      if (runId.isEmpty()) {
        return passes;
      }
    }
  }

  private List<BatchControl> controlsAfterTheThrottle() {
    List<BatchControl> controls = temporal.activities.controls();
    int first = 0;
    while (controls.get(first).batchSize() == null || controls.get(first).batchSize() != 500) {
      first++;
    }
    return controls.subList(first, controls.size());
  }

  private void awaitThrottleWritten() throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (temporal.activities.controls().stream().noneMatch(c -> Integer.valueOf(500).equals(c.batchSize()))) {
      assertThat(System.nanoTime()).as("controls so far: %s", temporal.activities.controls())
          .isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private void awaitCalls(String call, int times) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (temporal.script.count(call) < times) {
      assertThat(System.nanoTime()).as("only %s calls of %s", temporal.script.count(call), call)
          .isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never let the first chunk end");
      }
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(interrupted);
    }
  }

  private <W> W stub(Class<W> type, String workflowId) {
    return temporal.client().newWorkflowStub(type, WorkflowOptions.newBuilder()
        .setTaskQueue(FakeTemporal.TASK_QUEUE).setWorkflowId(workflowId).build());
  }
}
