package dev.zdm.workflow;

import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.RollbackRequest;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Saga;
import io.temporal.workflow.Workflow;

/**
 * A strategy's undo list (a Saga run one step at a time, continuing past a failed undo) and the
 * status the undo shows. Register each compensation before its step: the step may have
 * succeeded even when its call timed out.
 */
public final class Compensations {
  private final StatusBoard board;
  private final Saga saga =
      new Saga(
          new Saga.Options.Builder()
              .setParallelCompensation(false)
              .setContinueWithError(true)
              .build());

  public Compensations(StatusBoard board) {
    this.board = board;
  }

  public Saga saga() {
    return saga;
  }

  /** Runs every registered undo, newest first, and ends in {@code endPhase}. */
  public void undo(String endPhase, String detail) {
    board.phase("compensating", "Undoing the steps done so far.");
    saga.compensate();
    board.stepCompensated("rollback", detail);
    board.rollbackPossible(false);
    board.phase(endPhase, null);
  }

  /** A step failed: record it and undo, so nothing half-done stays behind. */
  public void failed(TemporalFailure failure, String detail) {
    board.stepFailed(board.phase(), failure.getMessage());
    undo("failed", detail);
  }

  /** The workflow was canceled: undo in a scope the cancellation cannot interrupt. */
  public void canceled(String detail) {
    Workflow.newDetachedCancellationScope(() -> undo("canceled", detail)).run();
  }

  /** Undoes everything for a rollback request and returns the rolled-back result. */
  public MigrationResult rollBack(String migrationId, RollbackRequest request, String detail) {
    undo("rolled-back", detail);
    String reason = request.reason() == null ? "" : ": " + request.reason();
    return new MigrationResult(
        migrationId,
        Outcome.ROLLED_BACK,
        "Rolled back on request of " + request.requestedBy() + reason,
        board.steps());
  }
}
