package dev.zdm.workflow;

import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Functions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Runs a long data step (a table copy, an archive copy) so that a rollback stops it at once: the
 * activity is cancelled (its backend with it) instead of the rollback waiting hours for the copy
 * to end. An open breaker is waited out and the step run again, as {@link BreakerGuard} does.
 */
public final class StopOnRollback {
  private final BreakerGuard guard;
  private final BooleanSupplier rollbackRequested;

  public StopOnRollback(BreakerGuard guard, BooleanSupplier rollbackRequested) {
    this.guard = guard;
    this.rollbackRequested = rollbackRequested;
  }

  /**
   * After the workflow was cancelled: waits until the step's activity has really stopped (its
   * cancellation acknowledged, its backend cancelled) so the undo that follows never races it.
   */
  public static void awaitStopped(Promise<?> step) {
    Workflow.newDetachedCancellationScope(() -> Workflow.await(step::isCompleted)).run();
  }

  /** The step's result; empty when a rollback stopped it (the caller then undoes). */
  public <T> Optional<T> run(Functions.Func<T> step) {
    while (true) {
      List<Promise<T>> started = new ArrayList<>(1);
      CancellationScope scope = Workflow.newCancellationScope(() -> started.add(Async.function(step)));
      scope.run();
      Promise<T> result = started.get(0);
      try {
        Workflow.await(() -> result.isCompleted() || rollbackRequested.getAsBoolean());
      } catch (CanceledFailure canceled) {
        awaitStopped(result);
        throw canceled;
      }
      if (!result.isCompleted()) {
        scope.cancel();
        try {
          result.get();
        } catch (TemporalFailure stopped) {
          return Optional.empty(); // cancelled for the rollback, as asked
        }
        return Optional.empty(); // finished just before the cancel reached it: still rolled back
      }
      try {
        return Optional.of(result.get());
      } catch (ActivityFailure failure) {
        if (!BreakerGuard.isBreakerOpen(failure)) {
          throw failure;
        }
        guard.awaitBreakerClosed();
      }
    }
  }
}
