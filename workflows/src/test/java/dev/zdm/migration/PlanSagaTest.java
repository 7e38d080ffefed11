package dev.zdm.migration;

import static dev.zdm.fakes.FakeTemporal.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.fakes.FakeTemporal;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.MigrationStatus;
import dev.zdm.model.Outcome;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.TableRef;
import dev.zdm.model.WaitingFor;
import dev.zdm.model.plan.ConcurrentIndexStep;
import dev.zdm.model.plan.ConstraintStep;
import dev.zdm.model.plan.DirectStep;
import dev.zdm.model.plan.DualWriteStep;
import dev.zdm.model.plan.ProgressiveDmlStep;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The parent's saga across the steps of a file, with fake activities: what a rollback, a failure
 * or a terminated parent undoes, and that the status says exactly that.
 */
class PlanSagaTest {
  private static final TableRef ORDERS = TableRef.of("orders");
  private static final DirectStep ADD_INDEX = new DirectStep(1,
      "CREATE INDEX CONCURRENTLY idx_a ON orders (a)", false,
      new DirectStep.Undo("DROP INDEX CONCURRENTLY IF EXISTS idx_a", false));
  private static final ConcurrentIndexStep INDEX_B = new ConcurrentIndexStep(ORDERS, "idx_b",
      "CREATE INDEX CONCURRENTLY idx_b ON orders (b)", "(b)", false, null, null, null, 2);
  private static final ProgressiveDmlStep BACKFILL_C = new ProgressiveDmlStep(ORDERS,
      ProgressiveDmlStep.Operation.UPDATE, "c = 0", "c IS NULL", "c IS NULL", 1000, 0, 3_600_000,
      100, 2);
  private static final DualWriteStep RENAME = new DualWriteStep(ORDERS, "d", "e", null, null, null,
      DualWriteStep.Kind.RENAME, 3);

  private final FakeTemporal temporal = new FakeTemporal();

  @AfterEach
  void tearDown() {
    temporal.close();
  }

  @Test
  void aRollbackDuringTheLastOfThreeStepsUndoesEveryEarlierStepNewestFirst() throws Exception {
    var workflow = temporal.start("three-steps", MigrationOptions.defaults(), ADD_INDEX, INDEX_B, RENAME);
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()));

    workflow.rollback(new RollbackRequest("tester", "wrong file"));
    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    List<String> calls = temporal.script.calls();
    List<String> undos = calls.subList(calls.indexOf("RemoveDualWrite"), calls.size());
    assertThat(undos).containsSubsequence(
        "RemoveDualWrite", "DropIndexConcurrently idx_b",
        "RunDdl DROP INDEX CONCURRENTLY IF EXISTS idx_a");
    assertThat(calls).doesNotContain("CutOverDualWrite");
    MigrationStatus status = workflow.status();
    assertThat(status.phase()).isEqualTo("rolled-back");
    assertThat(status.message()).contains("undone: index idx_b; step 1 (DROP INDEX CONCURRENTLY IF EXISTS idx_a)")
        .doesNotContain("left in place");
    assertThat(status.rollbackPossible()).isFalse();
  }

  @Test
  void aRollbackAfterAnIrreversibleStepSaysWhatItLeftInPlace() throws Exception {
    var workflow = temporal.start("partial", MigrationOptions.defaults(), ADD_INDEX, BACKFILL_C, RENAME);
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()));

    workflow.rollback(new RollbackRequest("tester", null));
    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(result.message()).contains("left in place: step 2 (");
    assertThat(workflow.status().phase()).isEqualTo("rolled-back-partially");
    assertThat(temporal.script.calls()).contains("RunDdl DROP INDEX CONCURRENTLY IF EXISTS idx_a");
  }

  @Test
  void anUndoWithTheBreakerOpenEndsRollbackFailedUntilTheBreakerIsReset() throws Exception {
    temporal.script.refuseWhileBreakerOpen("RemoveDualWrite");
    var workflow = temporal.start("breaker-undo", MigrationOptions.defaults(), RENAME);
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()));
    temporal.script.openBreaker();

    workflow.rollback(new RollbackRequest("tester", null));
    MigrationStatus stuck = awaitStatus(workflow, s -> "rollback-failed".equals(s.phase())
        && WaitingFor.BREAKER.equals(s.waitingFor()));
    assertThat(stuck.message()).contains("circuit breaker").contains("Still in place: dual-write");
    assertThat(stuck.steps()).noneMatch(step -> step.state() == dev.zdm.model.StepRecord.StepState.COMPENSATED);

    temporal.script.closeBreaker();
    workflow.breakerReset();
    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(temporal.script.calls().stream().filter("RemoveDualWrite"::equals).count())
        .isGreaterThanOrEqualTo(2);
    assertThat(workflow.status().phase()).isEqualTo("rolled-back");
  }

  @Test
  void anUndoThatFailsWaitsForAPersonAndIsRetriedByAnotherRollback() throws Exception {
    temporal.script.failOnce("RemoveDualWrite", ZdmFailures.SQL_REFUSED, "permission denied for table orders");
    var workflow = temporal.start("undo-refused", MigrationOptions.defaults(), RENAME);
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()));

    workflow.rollback(new RollbackRequest("tester", null));
    MigrationStatus stuck = awaitStatus(workflow, s -> WaitingFor.INTERVENTION.equals(s.waitingFor()));
    assertThat(stuck.phase()).isEqualTo("rollback-failed");
    assertThat(stuck.message()).contains("permission denied for table orders")
        .contains("Still in place: dual-write").contains("zdm rollback undo-refused");

    workflow.rollback(new RollbackRequest("tester", "fixed the grant"));
    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);
    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(workflow.status().phase()).isEqualTo("rolled-back");
  }

  @Test
  void aFailedStepUndoesTheEarlierStepsAndTheStatusNamesTheCause() {
    temporal.script.fail("BuildIndexConcurrently idx_b", ZdmFailures.SQL_REFUSED, "could not create unique index");
    var workflow = temporal.start("fails", MigrationOptions.defaults(), ADD_INDEX, INDEX_B);

    assertThatThrownBy(() -> temporal.resultOf(workflow, MigrationResult.class))
        .isInstanceOf(WorkflowFailedException.class);

    assertThat(temporal.script.calls()).containsSubsequence(
        "BuildIndexConcurrently idx_b", "DropIndexConcurrently idx_b",
        "RunDdl DROP INDEX CONCURRENTLY IF EXISTS idx_a");
    MigrationStatus status = workflow.status();
    assertThat(status.phase()).isEqualTo("failed");
    assertThat(status.message()).contains("could not create unique index").contains("undone:");
  }

  @Test
  void twoBatchedStepsInOneFileKeepTheirOwnProgressRows() {
    ProgressiveDmlStep second = new ProgressiveDmlStep(ORDERS, ProgressiveDmlStep.Operation.DELETE,
        null, "c < 0", "c < 0", 1000, 0, 3_600_000, 100, 4);
    var workflow = temporal.start("two-batches", MigrationOptions.defaults(), BACKFILL_C, second);

    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(temporal.script.calls()).contains(
        "BackfillChunk progressive-step-1", "VerifyBackfill progressive-step-1",
        "BackfillChunk progressive-step-2", "VerifyBackfill progressive-step-2");
  }

  /**
   * Terminating or resetting the parent must not kill a child mid-step: the child is started with
   * REQUEST_CANCEL, so a real server asks it to cancel, and a cancelled child undoes itself. The test
   * server records the policy but does not apply it (measured, SDK 1.38.0), so the two halves are
   * shown separately: the policy on the child, and what the child does when asked to cancel.
   */
  @Test
  void theRunningChildIsStartedToBeCancelledWithTheParentAndUndoesItselfWhenCancelled() throws Exception {
    var workflow = temporal.start("parent-close", MigrationOptions.defaults(), RENAME);
    MigrationStatus waiting = awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()));

    var parent = temporal.env.getWorkflowServiceStubs().blockingStub().describeWorkflowExecution(
        DescribeWorkflowExecutionRequest.newBuilder()
            .setNamespace(temporal.env.getNamespace())
            .setExecution(WorkflowExecution.newBuilder().setWorkflowId("zdm-parent-close"))
            .build());
    assertThat(parent.getPendingChildrenList()).singleElement()
        .satisfies(child -> assertThat(child.getParentClosePolicy())
            .isEqualTo(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL));

    temporal.untyped(waiting.activeWorkflowId()).cancel();

    temporal.script.awaitCall("RemoveDualWrite");
    assertThatThrownBy(() -> temporal.resultOf(workflow, MigrationResult.class))
        .isInstanceOf(WorkflowFailedException.class);
    assertThat(temporal.script.calls()).doesNotContain("CutOverDualWrite");
    assertThat(workflow.status().phase()).isEqualTo("failed");
  }

  @Test
  void aDirectStepWithoutAnInverseIsLeftInPlaceAndSaysSo() throws Exception {
    DirectStep comment = new DirectStep(1, "COMMENT ON TABLE orders IS 'x'", true);
    var workflow = temporal.start("no-inverse", MigrationOptions.defaults(), comment, RENAME);
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()));

    workflow.rollback(new RollbackRequest("tester", null));
    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(result.message()).contains("left in place: step 1 (run as is (line 1)");
    assertThat(workflow.status().phase()).isEqualTo("rolled-back-partially");
  }

  @Test
  void aCompletedNotNullStepIsUndoneByDroppingTheNotNullItAdded() throws Exception {
    String undo = "ALTER TABLE orders ALTER COLUMN f DROP NOT NULL, DROP CONSTRAINT IF EXISTS orders_f_not_null";
    ConstraintStep notNull = new ConstraintStep(ORDERS, "orders_f_not_null", ConstraintStep.Kind.NOT_NULL,
        "CHECK (f IS NOT NULL)", "f", List.of("ALTER TABLE orders ALTER COLUMN f SET NOT NULL",
            "ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_f_not_null"), 1, List.of(undo));
    var workflow = temporal.start("not-null-undo", MigrationOptions.defaults(), notNull, RENAME);
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()));

    workflow.rollback(new RollbackRequest("tester", null));
    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(temporal.script.calls()).containsSubsequence(
        "RunDdl ALTER TABLE orders ALTER COLUMN f SET NOT NULL", "RemoveDualWrite", "RunDdl " + undo);
    assertThat(result.message()).contains("undone: step 1 (" + undo + ")").doesNotContain("left in place");
    assertThat(workflow.status().phase()).isEqualTo("rolled-back");
  }
}
