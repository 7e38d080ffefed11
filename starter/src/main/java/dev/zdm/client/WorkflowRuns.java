package dev.zdm.client;

import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.temporalclient.ExecutionStates;
import dev.zdm.temporalclient.TemporalConnection;
import dev.zdm.temporal.ZdmNames;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Reads one run of a migration's workflow from Temporal: its state and, once completed, its outcome. */
final class WorkflowRuns {
  /** A completed run's result is already stored: reading it takes one round trip. */
  private static final Duration RESULT_READ_TIMEOUT = Duration.ofSeconds(5);

  /** WorkflowExecutionStarted + WorkflowTaskScheduled: any more events mean a worker took a task. */
  private static final long EVENTS_BEFORE_ANY_WORKER = 2;

  private final TemporalConnection connection;
  private final TemporalErrors errors;

  WorkflowRuns(TemporalConnection connection, TemporalErrors errors) {
    this.connection = connection;
    this.errors = errors;
  }

  /** The latest run of the migration, or null when the id never ran. */
  ExistingRun latest(String migrationId) {
    DescribeWorkflowExecutionResponse described = describe(migrationId, ZdmNames.workflowId(migrationId), "");
    if (described == null) {
      return null;
    }
    var info = described.getWorkflowExecutionInfo();
    String state = ExecutionStates.name(info.getStatus());
    String runId = info.getExecution().getRunId();
    Outcome outcome = "COMPLETED".equals(state) ? outcome(info.getExecution().getWorkflowId(), runId) : null;
    return new ExistingRun(migrationId, info.getExecution().getWorkflowId(), runId, state, outcome);
  }

  /** One run ({@code runId} empty: the latest), or null when there is none. */
  DescribeWorkflowExecutionResponse describe(String migrationId, String workflowId, String runId) {
    try {
      return connection.service().blockingStub().describeWorkflowExecution(
          DescribeWorkflowExecutionRequest.newBuilder()
              .setNamespace(connection.config().namespace())
              .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId).setRunId(runId))
              .build());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND && !TemporalErrors.isMissingNamespace(e.getStatus())) {
        return null;
      }
      throw errors.translate(migrationId, e);
    }
  }

  /** True once a worker has taken one of the run's workflow tasks (it has run its code). */
  static boolean workerTookIt(DescribeWorkflowExecutionResponse described) {
    return described.getWorkflowExecutionInfo().getHistoryLength() > EVENTS_BEFORE_ANY_WORKER;
  }

  /** How a completed run ended; null when its result cannot be read. */
  private Outcome outcome(String workflowId, String runId) {
    try {
      MigrationResult result = connection.client()
          .newUntypedWorkflowStub(workflowId, Optional.of(runId), Optional.empty())
          .getResult(RESULT_READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS, MigrationResult.class);
      return result == null ? null : result.outcome();
    } catch (Exception unreadable) {
      // The refusal still names the run; it only loses whether it was rolled back.
      return null;
    }
  }
}
