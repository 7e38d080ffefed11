package dev.zdm.migration;

import static dev.zdm.fakes.FakeTemporal.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.fakes.FakeTemporal;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationRequest;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.MigrationStatus;
import dev.zdm.model.Outcome;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.StepRecord;
import dev.zdm.model.TableRef;
import dev.zdm.model.WaitingFor;
import dev.zdm.model.plan.DirectStep;
import dev.zdm.model.plan.DualWriteStep;
import dev.zdm.model.plan.PlanStep;
import dev.zdm.model.plan.ProgressiveDmlStep;
import io.temporal.client.WorkflowStub;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.filter.v1.WorkflowExecutionFilter;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The parent continues as new between steps when its history grows, carrying its saga as data
 * (the steps done, rebuilt into undos by their operations), its inbox and its status.
 */
class ParentContinueAsNewTest {
  private static final int THRESHOLD = MigrationRequest.MIN_CONTINUE_AS_NEW_AFTER_EVENTS;
  private static final int INDEXES = 12;
  private static final DualWriteStep RENAME = new DualWriteStep(TableRef.of("orders"), "d", "e",
      null, null, null, DualWriteStep.Kind.RENAME, INDEXES + 1);

  private final FakeTemporal temporal = new FakeTemporal();

  @AfterEach
  void tearDown() {
    temporal.close();
  }

  @Test
  void aLongFileContinuesAsNewAndARollbackUndoesStepsFromEveryRun() throws Exception {
    var workflow = temporal.start(request("many-steps"), steps());
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()));
    assertThat(continuedRuns("many-steps")).isGreaterThanOrEqualTo(2);
    assertThat(temporal.script.calls().stream().filter(call -> call.startsWith("Prepare")).count())
        .as("the plan is made once").isEqualTo(1);
    MigrationStatus waiting = workflow.status();
    for (int i = 1; i <= INDEXES; i++) {
      String name = "step-" + i;
      assertThat(waiting.steps()).as(name).anyMatch(step -> step.name().equals(name)
          && step.state() == StepRecord.StepState.DONE);
    }

    workflow.rollback(new RollbackRequest("tester", "wrong file"));
    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    List<String> calls = temporal.script.calls();
    List<String> undos = calls.subList(calls.indexOf("RemoveDualWrite"), calls.size());
    List<String> expected = new ArrayList<>();
    for (int i = INDEXES; i >= 1; i--) {
      expected.add("RunDdl DROP INDEX CONCURRENTLY IF EXISTS idx_" + i);
    }
    assertThat(undos).containsSubsequence(expected);
    assertThat(workflow.status().phase()).isEqualTo("rolled-back");
    assertThat(workflow.status().message()).contains("step 1 (DROP INDEX CONCURRENTLY IF EXISTS idx_1)");
  }

  @Test
  void aRollbackThatArrivesWhenTheRunIsDueToContinueAsNewIsHonoured() throws Exception {
    for (int i = 1; i <= INDEXES; i++) {
      temporal.script.gate(createIndex(i), null);
    }
    var workflow = temporal.start(request("rollback-at-can"), steps());
    // Each step is held; the rollback is sent during the first step after which the run's
    // history passes the threshold (at least the activity's start and completion are added), so
    // the run is due to continue as new when the step ends. Found by counting, not assumed: how
    // many events a run has before a step depends on what precedes step 1.
    int held = 0;
    for (int i = 1; i <= INDEXES && held == 0; i++) {
      temporal.script.awaitCall(createIndex(i));
      if (currentRunEvents("rollback-at-can") + 2 > THRESHOLD) {
        held = i;
        workflow.rollback(new RollbackRequest("tester", null));
      }
      temporal.script.release(createIndex(i));
    }
    assertThat(held).as("a step after which the run is due").isPositive();
    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(result.message()).contains("Rolled back before step " + (held + 1) + " started");
    // The run that took the rollback was past its threshold when the held step ended: it was
    // due to continue as new, and undid the file instead.
    assertThat(eventsUntilLastUndo("rollback-at-can")).isGreaterThan(THRESHOLD);
    List<String> undos = new ArrayList<>();
    for (int i = held; i >= 1; i--) {
      undos.add("RunDdl DROP INDEX CONCURRENTLY IF EXISTS idx_" + i);
    }
    assertThat(temporal.script.calls()).containsSubsequence(undos);
    assertThat(temporal.script.calls()).doesNotContain(createIndex(held + 1));
  }

  private static String createIndex(int i) {
    return "RunDdl CREATE INDEX CONCURRENTLY idx_" + i + " ON orders (c" + i + ")";
  }

  /** Events in the history of the migration's current run so far. */
  private int currentRunEvents(String migrationId) {
    return temporal.client().fetchHistory("zdm-" + migrationId).getEvents().size();
  }

  @Test
  void aPauseSentBetweenStepsReachesTheBatchedStepAfterContinueAsNew() throws Exception {
    String heldStep = "RunDdl CREATE INDEX CONCURRENTLY idx_2 ON orders (c2)";
    temporal.script.gate(heldStep, null);
    // The batched step's chunk runs until the pause reaches it, so it cannot finish first.
    temporal.activities.runBatches("BackfillChunk progressive-step-" + (INDEXES + 1));
    List<PlanStep> steps = new ArrayList<>(List.of(steps()).subList(0, INDEXES));
    steps.add(new ProgressiveDmlStep(TableRef.of("orders"), ProgressiveDmlStep.Operation.UPDATE,
        "c = 0", "c IS NULL", "c IS NULL", 1000, 0, 3_600_000, 100, INDEXES + 1));
    var workflow = temporal.start(request("kept-pause"), steps.toArray(PlanStep[]::new));
    temporal.script.awaitCall(heldStep);

    workflow.pause(); // the first release's signal: kept for the next step's workflow
    temporal.script.release(heldStep);

    temporal.script.awaitCall("SetBatchControl paused");
    assertThat(continuedRuns("kept-pause")).as("the pause crossed a continue-as-new").isGreaterThanOrEqualTo(1);
    WorkflowStub.fromTyped(workflow).cancel();
  }

  private static MigrationRequest request(String id) {
    return new MigrationRequest(id, id + ".sql", "-- planned by the test", null,
        MigrationOptions.defaults()).withContinueAsNewAfterEvents(THRESHOLD);
  }

  private static PlanStep[] steps() {
    List<PlanStep> steps = new ArrayList<>();
    for (int i = 1; i <= INDEXES; i++) {
      steps.add(new DirectStep(i, "CREATE INDEX CONCURRENTLY idx_" + i + " ON orders (c" + i + ")",
          false, new DirectStep.Undo("DROP INDEX CONCURRENTLY IF EXISTS idx_" + i, false)));
    }
    steps.add(RENAME);
    return steps.toArray(PlanStep[]::new);
  }

  private int continuedRuns(String migrationId) {
    var closed = temporal.env.getWorkflowServiceStubs().blockingStub().listClosedWorkflowExecutions(
        ListClosedWorkflowExecutionsRequest.newBuilder()
            .setNamespace(temporal.env.getNamespace())
            .setExecutionFilter(WorkflowExecutionFilter.newBuilder().setWorkflowId("zdm-" + migrationId))
            .build());
    return (int) closed.getExecutionsList().stream()
        .filter(run -> run.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW)
        .count();
  }

  /** The length of the last run's history when its last step's activity completed. */
  private int eventsUntilLastUndo(String migrationId) {
    List<HistoryEvent> events = temporal.client().fetchHistory("zdm-" + migrationId).getEvents();
    int lastStepCompleted = 0;
    for (int i = 0; i < events.size(); i++) {
      // An undo is a RunDdl of a DROP INDEX (ClaimTables carries the plan, undo SQL included).
      if (events.get(i).hasActivityTaskScheduledEventAttributes()
          && events.get(i).getActivityTaskScheduledEventAttributes().getActivityType().getName().equals("RunDdl")
          && events.get(i).getActivityTaskScheduledEventAttributes().getInput().getPayloads(0).getData().toStringUtf8().contains("DROP INDEX")) {
        return lastStepCompleted;
      }
      if (events.get(i).hasActivityTaskCompletedEventAttributes()) {
        lastStepCompleted = i + 1;
      }
    }
    return lastStepCompleted;
  }
}
