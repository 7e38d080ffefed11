package dev.zdm.workflow;

import dev.zdm.activities.DdlActivities;
import dev.zdm.activities.ZdmFailures;
import dev.zdm.model.WaitingFor;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Runs a database step and, while the circuit breaker is open, waits (saying so in the status)
 * until it is reset, then runs the step again. Other failures pass through.
 */
public final class BreakerGuard {
  /** How often a waiting workflow looks at the breaker when no reset signal arrives. */
  public static final Duration BREAKER_POLL_INTERVAL = Duration.ofSeconds(30);

  private final String migrationId;
  private final StatusBoard board;
  private final DdlActivities ddl;
  private boolean resetSignalled;

  public BreakerGuard(String migrationId, StatusBoard board, DdlActivities ddl) {
    this.migrationId = migrationId;
    this.board = board;
    this.ddl = ddl;
  }

  /** Called from the workflow's breakerReset signal handler. */
  public void resetSignalled() {
    resetSignalled = true;
  }

  public <T> T run(Supplier<T> step) {
    while (true) {
      try {
        return step.get();
      } catch (ActivityFailure failure) {
        if (!isBreakerOpen(failure)) {
          throw failure;
        }
        awaitBreakerClosed();
      }
    }
  }

  public void run(Runnable step) {
    run(
        () -> {
          step.run();
          return null;
        });
  }

  /** Waits, saying why, until a reset lets statements through. */
  public void awaitBreakerClosed() {
    awaitBreakerClosed(
        "The circuit breaker is open after repeated failures: fix the cause, then run"
            + " `zdm breaker reset`.");
  }

  /** Shows {@code message} as waiting for the breaker until a reset lets statements through. */
  public void awaitBreakerClosed(String message) {
    board.waitFor(WaitingFor.BREAKER, message);
    do {
      Workflow.await(BREAKER_POLL_INTERVAL, () -> resetSignalled);
      resetSignalled = false;
    } while (!ddl.breakerClosed(migrationId));
    board.stopWaiting();
  }

  public static boolean isBreakerOpen(ActivityFailure failure) {
    return failure.getCause() instanceof ApplicationFailure application
        && ZdmFailures.BREAKER_OPEN.equals(application.getType());
  }
}
