package dev.zdm.workflow;

import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.WaitingFor;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Functions;
import io.temporal.workflow.Saga;
import io.temporal.workflow.Workflow;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;

/**
 * A workflow's undo list and the truth about it (docs/decisions/0009). Register each undo before
 * its step: the step may have succeeded even when its call failed or timed out, so every undo is
 * idempotent.
 *
 * <p>From {@link WorkflowRelease#OPERATION_MODEL} on, undos run newest first in a scope no
 * cancellation can interrupt, each through the breaker; an undo that cannot run leaves the
 * workflow in {@code rollback-failed}, naming what is still in place, until the breaker is reset
 * or a person retries it with {@code zdm rollback}. Nothing is reported undone that did not run.
 * At the point of no return the list is emptied: nothing done before it is undone after it.
 * Runs that began on the first release keep its Saga, which continued past a failed undo.
 */
public final class Compensations {
  public static final String COMPENSATING = "compensating";
  public static final String ROLLBACK_FAILED = "rollback-failed";
  public static final String ROLLED_BACK = "rolled-back";
  /** A plan rollback that had to leave an irreversible step in place. */
  public static final String ROLLED_BACK_PARTIALLY = "rolled-back-partially";

  private final String migrationId;
  private final StatusBoard board;
  private final WorkflowRelease release;
  private final BreakerGuard guard;
  private final Saga firstReleaseSaga =
      new Saga(
          new Saga.Options.Builder()
              .setParallelCompensation(false)
              .setContinueWithError(true)
              .build());
  private final Deque<Undo> undos = new ArrayDeque<>();
  private final List<String> undone = new ArrayList<>();
  private final List<String> leftInPlace = new ArrayList<>();
  private boolean retryRequested;
  private boolean pastPointOfNoReturn;

  /** One registered undo; {@code action} null marks a step that cannot be undone. */
  private record Undo(String what, Functions.Proc action, String irreversibleBecause) {}

  public Compensations(String migrationId, StatusBoard board, WorkflowRelease release, BreakerGuard guard) {
    this.migrationId = migrationId;
    this.board = board;
    this.release = release;
    this.guard = guard;
  }

  /** Registers the undo of the step about to run; {@code what} names what it removes. */
  public void register(String what, Functions.Proc action) {
    if (release.operationModel()) {
      undos.push(new Undo(what, action, null));
    } else {
      firstReleaseSaga.addCompensation(action);
    }
  }

  /** Records a done step that no undo can reverse, so a rollback says it stays. */
  public void registerIrreversible(String what, String because) {
    undos.push(new Undo(what, null, because));
  }

  /** From here on nothing done so far is undone: the next step makes the undos wrong. */
  public void pointOfNoReturn() {
    pastPointOfNoReturn = true;
    if (release.operationModel()) {
      undos.clear();
    }
  }

  /**
   * Runs the irreversible step so that a cancellation cannot interrupt it halfway: it finishes,
   * and the workflow then reports what actually happened.
   */
  public <T> T irreversible(Supplier<T> step) {
    if (!release.operationModel()) {
      return step.get();
    }
    List<T> result = new ArrayList<>(1);
    String phase = board.phase();
    Workflow.newDetachedCancellationScope(() -> result.add(step.get())).run();
    if (CancellationScope.current().isCancelRequested()) {
      // Temporal will report the run canceled; the steps say what was actually done.
      board.stepDone("cancel-after-point-of-no-return", "a cancel arrived during " + phase
          + ", which cannot be interrupted: it finished, and nothing was undone");
    }
    return result.get(0);
  }

  public void irreversible(Runnable step) {
    irreversible(() -> {
      step.run();
      return null;
    });
  }

  /** Called when a person asks again for a rollback while an undo waits in rollback-failed. */
  public void retryRequested() {
    retryRequested = true;
  }

  /**
   * A step failed or the workflow was cancelled: undo what is registered and return the failure to
   * rethrow. A cancellation is recognised however it arrives (also as an activity or child
   * failure caused by it) and ends the workflow cancelled.
   */
  public TemporalFailure onFailure(TemporalFailure failure, String detail) {
    if (!release.operationModel()) {
      if (failure instanceof CanceledFailure) {
        canceled(detail);
      } else {
        failed(failure, detail);
      }
      return failure;
    }
    if (workflowCanceled()) {
      String step = board.phase();
      Workflow.newDetachedCancellationScope(() -> {
        board.stepFailed(step, "canceled");
        undoAll("canceled", detail, "Canceled");
      }).run();
      return failure instanceof CanceledFailure
          ? failure
          : new CanceledFailure("Migration " + migrationId + " was canceled", rootMessage(failure));
    }
    String reason = rootMessage(failure);
    String step = board.phase();
    Workflow.newDetachedCancellationScope(() -> {
      board.stepFailed(step, reason);
      undoAll("failed", detail, reason);
    }).run();
    if (failure instanceof CanceledFailure) {
      // Only a workflow whose own cancellation was requested may end cancelled; this one was not.
      return ApplicationFailure.newNonRetryableFailureWithCause(
          "A step of migration " + migrationId + " was canceled", "StepCanceled", failure);
    }
    return failure;
  }

  /** Undoes everything for a rollback request and returns the rolled-back result. */
  public MigrationResult rollBack(RollbackRequest request, String detail) {
    String reason = "Rolled back on request of " + request.requestedBy()
        + (request.reason() == null ? "" : ": " + request.reason());
    if (!release.operationModel()) {
      undo(ROLLED_BACK, detail);
      return new MigrationResult(migrationId, Outcome.ROLLED_BACK, reason, board.steps());
    }
    return rollBackAfter(reason, detail);
  }

  /**
   * Undoes everything after a step ended rolled back ({@code reason} says how), and returns the
   * rolled-back result with what was undone and what was left.
   */
  public MigrationResult rollBackAfter(String reason, String detail) {
    Workflow.newDetachedCancellationScope(() -> undoAll(ROLLED_BACK, detail, reason)).run();
    return new MigrationResult(migrationId, Outcome.ROLLED_BACK, board.snapshot().message(), board.steps());
  }

  /**
   * True when this workflow is being canceled, whatever form the failure that surfaced it took: a
   * CanceledFailure from a wait, or an activity or child failure caused by the cancellation it
   * passed on. A step canceled by someone else (a child canceled on its own) is a failure.
   */
  public static boolean workflowCanceled() {
    return CancellationScope.current().isCancelRequested();
  }

  /** The innermost message: the one that names the cause, not the Temporal wrapping. */
  public static String rootMessage(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause instanceof ApplicationFailure application
        ? application.getOriginalMessage()
        : cause.getMessage();
  }

  // The operation model: undos that always run and say what they did.

  private void undoAll(String endPhase, String detail, String reason) {
    undone.clear();
    leftInPlace.clear();
    if (undos.isEmpty()) {
      board.rollbackPossible(false);
      board.phase(endPhase, reason + (pastPointOfNoReturn
          ? "; past the point of no return, nothing was undone." : "; nothing else to undo."));
      return;
    }
    board.phase(COMPENSATING, "Undoing the steps done so far.");
    while (!undos.isEmpty()) {
      Undo next = undos.peek();
      if (next.action() == null) {
        leftInPlace.add(next.what() + " (" + next.irreversibleBecause() + ")");
        undos.pop();
        continue;
      }
      if (runOnce(next)) {
        undone.add(next.what());
        undos.pop();
      }
    }
    String summary = (undone.isEmpty() ? "nothing undone" : "undone: " + String.join("; ", undone))
        + (leftInPlace.isEmpty() ? "" : "; left in place: " + String.join("; ", leftInPlace));
    if (undone.isEmpty()) {
      board.stepDone("rollback", summary);
    } else {
      board.stepCompensated("rollback", detail + " (" + summary + ")");
    }
    board.rollbackPossible(false);
    String phase = ROLLED_BACK.equals(endPhase) && !leftInPlace.isEmpty() ? ROLLED_BACK_PARTIALLY : endPhase;
    board.phase(phase, reason + "; " + summary + ".");
  }

  /** One attempt at an undo; false when it could not run and a person has now acted. */
  private boolean runOnce(Undo next) {
    try {
      next.action().apply();
      return true;
    } catch (ActivityFailure failure) {
      String stillThere = stillInPlace();
      if (BreakerGuard.isBreakerOpen(failure)) {
        board.phase(ROLLBACK_FAILED, "Could not undo " + next.what() + ": the circuit breaker is open."
            + " Still in place: " + stillThere + ".");
        guard.awaitBreakerClosed("The undo waits for the circuit breaker: fix the cause, then run"
            + " `zdm breaker reset`. Still in place: " + stillThere + ".");
      } else {
        board.stepFailed("undo", next.what() + ": " + rootMessage(failure));
        String message = "Could not undo " + next.what() + ": " + rootMessage(failure)
            + ". Still in place: " + stillThere + ". Fix the cause, then run `zdm rollback "
            + migrationId + "` to retry the undo.";
        board.phase(ROLLBACK_FAILED, message);
        board.waitFor(WaitingFor.INTERVENTION, message);
        retryRequested = false;
        Workflow.await(() -> retryRequested);
        retryRequested = false;
      }
      board.phase(COMPENSATING, "Retrying the undo of " + next.what() + ".");
      return false;
    }
  }

  private String stillInPlace() {
    List<String> names = new ArrayList<>();
    for (Undo undo : undos) {
      names.add(undo.what());
    }
    return String.join("; ", names);
  }

  // The first release's behaviour, kept for runs that started on it.

  private void undo(String endPhase, String detail) {
    board.phase(COMPENSATING, "Undoing the steps done so far.");
    firstReleaseSaga.compensate();
    board.stepCompensated("rollback", detail);
    board.rollbackPossible(false);
    board.phase(endPhase, null);
  }

  private void failed(TemporalFailure failure, String detail) {
    board.stepFailed(board.phase(), failure.getMessage());
    undo("failed", detail);
  }

  private void canceled(String detail) {
    Workflow.newDetachedCancellationScope(() -> undo("canceled", detail)).run();
  }
}
