package dev.zdm.migration;

import static dev.zdm.fakes.FakeTemporal.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.fakes.FakeTemporal;
import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.ThrottleRequest;
import dev.zdm.model.TableRef;
import dev.zdm.model.WaitingFor;
import dev.zdm.model.plan.ConcurrentIndexStep;
import dev.zdm.model.plan.DualWriteStep;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * deployed, pause, resume and throttle are Updates whose validators answer from the step that
 * runs: a control that would do nothing is refused with the reason, never acknowledged.
 */
class ControlsAsUpdatesTest {
  private static final TableRef USERS = TableRef.of("users");
  private static final DualWriteStep RENAME = new DualWriteStep(USERS, "name", "full_name", null,
      null, null, DualWriteStep.Kind.RENAME, 2);
  private static final ConcurrentIndexStep INDEX = new ConcurrentIndexStep(USERS, "idx_email",
      "CREATE INDEX CONCURRENTLY idx_email ON users (email)", "(email)", false, null, null, null, 1);

  private final FakeTemporal temporal = new FakeTemporal();

  @AfterEach
  void tearDown() {
    temporal.close();
  }

  @Test
  void aMistypedStageIsRefusedWithTheStagesTheMigrationWaitsFor() throws Exception {
    var workflow = temporal.start("stages", MigrationOptions.defaults(), RENAME);
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()));

    assertThatThrownBy(() -> workflow.confirmDeployment(new DeploymentSignal("v2", "read")))
        .isInstanceOf(WorkflowUpdateException.class)
        .satisfies(e -> assertThat(rootMessage(e))
            .contains("waits for no deployment stage 'read'").contains("reads, writes"));

    assertThat(workflow.confirmDeployment(new DeploymentSignal("v2", "reads"))).contains("recorded");
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_WRITES.equals(s.waitingFor()));
    WorkflowStub.fromTyped(workflow).cancel();
  }

  @Test
  void aDeploymentWhileAStepWithoutAGateRunsIsRefused() throws Exception {
    temporal.script.blockUntilCanceled("BuildIndexConcurrently idx_email");
    var workflow = temporal.start("no-gate-now", MigrationOptions.defaults(), INDEX, RENAME);
    temporal.script.awaitCall("BuildIndexConcurrently idx_email");

    assertThatThrownBy(() -> workflow.confirmDeployment(new DeploymentSignal("v2", null)))
        .isInstanceOf(WorkflowUpdateException.class)
        .satisfies(e -> assertThat(rootMessage(e)).contains("waits for no deployment"));
    WorkflowStub.fromTyped(workflow).cancel();
  }

  @Test
  void pauseAndThrottleAreRefusedForAStepThatCannotPause() throws Exception {
    temporal.script.blockUntilCanceled("BuildIndexConcurrently idx_email");
    var workflow = temporal.start("no-pause", MigrationOptions.defaults(), INDEX);
    temporal.script.awaitCall("BuildIndexConcurrently idx_email");

    assertThatThrownBy(workflow::pauseBatches)
        .isInstanceOf(WorkflowUpdateException.class)
        .satisfies(e -> assertThat(rootMessage(e)).contains("has no batches to pause"));
    assertThatThrownBy(() -> workflow.throttleBatches(new ThrottleRequest(500, null)))
        .isInstanceOf(WorkflowUpdateException.class);
    assertThatThrownBy(workflow::resumeBatches)
        .isInstanceOf(WorkflowUpdateException.class)
        .satisfies(e -> assertThat(rootMessage(e)).contains("is not paused"));
    assertThat(temporal.script.calls()).noneMatch(call -> call.startsWith("SetBatchControl"));
    WorkflowStub.fromTyped(workflow).cancel();
  }

  @Test
  void aPauseDuringABackfillReachesTheEngineAndABadThrottleIsRefused() throws Exception {
    String chunk = "BackfillChunk dual-write-backfill-step-1";
    temporal.script.blockUntilCanceled(chunk);
    var workflow = temporal.start("pause-backfill", MigrationOptions.defaults(), RENAME);
    temporal.script.awaitCall(chunk);
    awaitStatus(workflow, s -> s.pausable());

    assertThatThrownBy(() -> workflow.throttleBatches(new ThrottleRequest(0, null)))
        .isInstanceOf(WorkflowUpdateException.class)
        .satisfies(e -> assertThat(rootMessage(e)).contains("batch size"));
    assertThat(workflow.pauseBatches()).startsWith("Paused");

    awaitCall("SetBatchControl paused");
    WorkflowStub.fromTyped(workflow).cancel();
  }

  @Test
  void anApprovalAnswersWithWhatTheStepDidWithIt() throws Exception {
    var workflow = temporal.start("approve-answer", MigrationOptions.defaults(), RENAME);
    awaitApproval(workflow);

    String answer = workflow.approve(new ApprovalRequest("tester", null));

    assertThat(answer).startsWith("Approved: zdm-approve-answer-").doesNotContain("waiting for approval");
    assertThat(temporal.resultOf(workflow, MigrationResult.class).outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(temporal.script.calls()).contains("CutOverDualWrite");
  }

  @Test
  void anApprovalAfterARollbackIsRefusedAndTheCutOverNeverRuns() throws Exception {
    temporal.script.gate("RemoveDualWrite", null);
    var workflow = temporal.start("approve-after-rollback", MigrationOptions.defaults(), RENAME);
    awaitApproval(workflow);

    workflow.rollback(new RollbackRequest("tester", null));
    assertThatThrownBy(() -> workflow.approve(new ApprovalRequest("tester", null)))
        .isInstanceOf(WorkflowUpdateException.class)
        .satisfies(e -> assertThat(rootMessage(e)).containsAnyOf("is being rolled back", "awaits approval"));
    temporal.script.release("RemoveDualWrite");

    assertThat(temporal.resultOf(workflow, MigrationResult.class).outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(temporal.script.calls()).doesNotContain("CutOverDualWrite");
  }

  private static void awaitApproval(MigrationWorkflow workflow) throws InterruptedException {
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()));
    workflow.confirmDeployment(new DeploymentSignal("v2", "reads"));
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_WRITES.equals(s.waitingFor()));
    workflow.confirmDeployment(new DeploymentSignal("v3", "writes"));
    awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()));
  }

  private void awaitCall(String call) throws InterruptedException {
    temporal.script.awaitCall(call);
  }

  private static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getMessage();
  }
}
