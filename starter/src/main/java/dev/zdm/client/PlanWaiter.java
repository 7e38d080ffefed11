package dev.zdm.client;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.migration.MigrationWorkflow;
import dev.zdm.model.HumanDuration;
import dev.zdm.model.plan.Plan;
import dev.zdm.temporalclient.ExecutionStates;
import dev.zdm.temporalclient.TemporalConnection;
import io.grpc.Status;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.client.WorkflowUpdateTimeoutOrCancelledException;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for a started migration's plan (its {@code awaitPlan} Update). The server holds the Update
 * until a worker runs the workflow, so without a worker the call just blocks: meanwhile this
 * watches the run's history, says once that no worker has taken it, and after the plan timeout
 * gives up with the workflow left started.
 */
final class PlanWaiter {
  /** How long a start waits quietly before it says that no worker has taken the workflow. */
  static final Duration WORKER_GRACE = Duration.ofSeconds(3);
  private static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);

  private final TemporalConnection connection;
  private final TemporalErrors errors;
  private final WorkflowRuns runs;

  PlanWaiter(TemporalConnection connection, TemporalErrors errors, WorkflowRuns runs) {
    this.connection = connection;
    this.errors = errors;
    this.runs = runs;
  }

  Plan await(String migrationId, WorkflowExecution execution, Duration timeout, StartListener listener) {
    MigrationWorkflow workflow = connection.client().newWorkflowStub(
        MigrationWorkflow.class, execution.getWorkflowId(), Optional.of(execution.getRunId()));
    // The SDK's Update call blocks; a daemon thread lets a timed-out start exit at once.
    ExecutorService caller = Executors.newSingleThreadExecutor(task -> {
      Thread thread = new Thread(task, "zdm-await-plan");
      thread.setDaemon(true);
      return thread;
    });
    try {
      Future<Plan> plan = caller.submit(workflow::awaitPlan);
      long started = System.nanoTime();
      boolean workerSeen = false;
      boolean announced = false;
      while (true) {
        try {
          return plan.get(CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillWaiting) {
          // fall through to the checks below
        } catch (ExecutionException e) {
          if (!pollTimedOut(e.getCause()) || !stillRunning(migrationId, execution)) {
            throw failed(migrationId, execution, e.getCause());
          }
          // A long poll ended before the plan was made: ask again (awaitPlan only reads).
          plan = caller.submit(workflow::awaitPlan);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw timedOut(migrationId, execution, connection.config().taskQueue(), workerSeen, elapsed(started));
        }
        Duration waited = elapsed(started);
        if (!workerSeen && waited.compareTo(WORKER_GRACE) >= 0) {
          workerSeen = workerTookIt(migrationId, execution);
          if (!workerSeen && !announced) {
            listener.waitingForWorker(migrationId, execution.getWorkflowId(), connection.config().taskQueue());
            announced = true;
          }
        }
        if (waited.compareTo(timeout) >= 0) {
          throw timedOut(migrationId, execution, connection.config().taskQueue(), workerSeen, timeout);
        }
      }
    } finally {
      caller.shutdownNow();
    }
  }

  /** The Update's long poll ran out, not the workflow: the plan may still come. */
  private static boolean pollTimedOut(Throwable failure) {
    if (failure instanceof WorkflowUpdateTimeoutOrCancelledException) {
      return true;
    }
    Status status = TemporalErrors.statusOf(failure);
    return status != null && status.getCode() == Status.Code.DEADLINE_EXCEEDED;
  }

  private boolean stillRunning(String migrationId, WorkflowExecution execution) {
    return "RUNNING".equals(state(migrationId, execution));
  }

  /** The run's execution status (RUNNING, FAILED, ...), or null when the server has no such run. */
  private String state(String migrationId, WorkflowExecution execution) {
    DescribeWorkflowExecutionResponse described =
        runs.describe(migrationId, execution.getWorkflowId(), execution.getRunId());
    return described == null ? null : ExecutionStates.name(described.getWorkflowExecutionInfo().getStatus());
  }

  private boolean workerTookIt(String migrationId, WorkflowExecution execution) {
    DescribeWorkflowExecutionResponse described =
        runs.describe(migrationId, execution.getWorkflowId(), execution.getRunId());
    return described != null && WorkflowRuns.workerTookIt(described);
  }

  private ZdmException failed(String migrationId, WorkflowExecution execution, Throwable cause) {
    if (cause instanceof WorkflowUpdateException refusal) {
      return refused(migrationId, refusal);
    }
    // The run may have ended before it took the Update (terminated, or failed on its first task).
    String state = state(migrationId, execution);
    if ("FAILED".equals(state)) {
      // Refused before the Update reached it: the refusal is the run's failure.
      ZdmException refusal = refusalOf(migrationId, execution);
      if (refusal != null) {
        return refusal;
      }
    }
    if (state != null && !"RUNNING".equals(state)) {
      return new ZdmException(
          ErrorCode.MIGRATION_FAILED,
          "Migration " + migrationId + " ended (" + state + ") before it made a plan"
              + " (workflow " + execution.getWorkflowId() + ", run " + execution.getRunId() + ").",
          "See `zdm status " + migrationId + "` for why.");
    }
    return cause instanceof RuntimeException runtime
        ? errors.translate(migrationId, runtime)
        : new ZdmException(ErrorCode.UNEXPECTED, "Migration " + migrationId + ": " + cause, TemporalErrors.DEBUG_HINT, cause);
  }

  /** The refusal a run that ended before its plan failed with, or null when it failed otherwise. */
  private ZdmException refusalOf(String migrationId, WorkflowExecution execution) {
    try {
      connection.client().newUntypedWorkflowStub(execution.getWorkflowId(),
          Optional.of(execution.getRunId()), Optional.empty()).getResult(5, TimeUnit.SECONDS, Object.class);
      return null;
    } catch (WorkflowFailedException ended) {
      String type = failureType(ended);
      if (!ZdmFailures.INVALID_MIGRATION.equals(type) && !ZdmFailures.UNSAFE_MIGRATION.equals(type)) {
        return null;
      }
      return new ZdmException(
          ZdmFailures.INVALID_MIGRATION.equals(type) ? ErrorCode.BAD_INPUT : ErrorCode.REFUSED,
          "Migration " + migrationId + " was refused: " + TemporalErrors.rootMessage(ended),
          "Nothing in the database was changed; fix the file and start it again.");
    } catch (TimeoutException | RuntimeException unknown) {
      return null;
    }
  }

  /** The workflow refused the migration before changing anything: bad input or an unsafe plan. */
  static ZdmException refused(String migrationId, WorkflowUpdateException refusal) {
    boolean badInput = ZdmFailures.INVALID_MIGRATION.equals(failureType(refusal));
    return new ZdmException(
        badInput ? ErrorCode.BAD_INPUT : ErrorCode.REFUSED,
        "Migration " + migrationId + " was refused: " + TemporalErrors.rootMessage(refusal),
        "Nothing in the database was changed; fix the file and start it again.");
  }

  /** Gave up on the plan; the workflow stays started and runs once a worker takes it. */
  static ZdmException timedOut(
      String migrationId, WorkflowExecution execution, String taskQueue, boolean workerSeen, Duration waited) {
    String started = "Migration " + migrationId + " is started (workflow " + execution.getWorkflowId()
        + ", run " + execution.getRunId() + ")";
    if (workerSeen) {
      return new ZdmException(
          ErrorCode.TIMED_OUT,
          started + " and a worker took it, but it had no plan after " + HumanDuration.format(waited) + ".",
          "It stays started: follow it with `zdm status " + migrationId + "`; the worker's log says why planning is slow.");
    }
    return new ZdmException(
        ErrorCode.TIMED_OUT,
        started + " but no worker on task queue " + taskQueue + " took it within " + HumanDuration.format(waited) + ".",
        "It stays started and runs once a worker polls " + taskQueue + ": start one with `zdm worker` (same"
            + " TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and ZDM_TASK_QUEUE), then follow it with `zdm status "
            + migrationId + "`.");
  }

  private static Duration elapsed(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }

  private static String failureType(Throwable failure) {
    String type = null;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure application) {
        type = application.getType();
      }
    }
    return type;
  }
}
