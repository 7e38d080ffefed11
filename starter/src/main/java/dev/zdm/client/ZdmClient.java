package dev.zdm.client;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.featureflag.FeatureFlagWorkflow;
import dev.zdm.featureflag.FlagSetRequest;
import dev.zdm.migration.MigrationWorkflow;
import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.MigrationRequest;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.MigrationStatus;
import dev.zdm.model.Progress;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.ThrottleRequest;
import dev.zdm.model.plan.Plan;
import dev.zdm.temporalclient.ExecutionStates;
import dev.zdm.temporalclient.MigrationLister;
import dev.zdm.temporalclient.MigrationSummary;
import dev.zdm.temporalclient.TemporalConnection;
import dev.zdm.temporal.ZdmNames;
import dev.zdm.temporal.ZdmSearchAttributes;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowQueryException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import java.time.Instant;
import java.util.List;

/**
 * The operations behind the {@code zdm} commands, each returning a plain result: the CLI only
 * renders them. Every call addresses the parent migration workflow by migration id.
 */
public final class ZdmClient implements AutoCloseable {
  private final TemporalConnection connection;
  private final String webUiBase;
  private final TemporalErrors errors;
  private final MigrationStarter starter;
  private final PlanWaiter planWaiter;
  private final FlagControls flags;

  public ZdmClient(TemporalConnection connection, String webUiBase) {
    this.connection = connection;
    this.webUiBase = webUiBase;
    this.errors = new TemporalErrors(connection.config());
    WorkflowRuns runs = new WorkflowRuns(connection, errors);
    this.starter = new MigrationStarter(connection, errors, runs);
    this.planWaiter = new PlanWaiter(connection, errors, runs);
    this.flags = new FlagControls(connection, errors);
  }

  /** {@code zdm flag set}: refused (exit 1) on a finished rollout or a decrease without leave. */
  public ControlResult setFlag(String id, FlagSetRequest set) {
    return flags.update(id, "flag set", rollout -> rollout.setFlag(set));
  }

  public ControlResult holdFlag(String id) {
    return flags.update(id, "flag hold", FeatureFlagWorkflow::holdRollout);
  }

  public ControlResult continueFlag(String id) {
    return flags.update(id, "flag continue", FeatureFlagWorkflow::continueRollout);
  }

  /**
   * Starts the migration's workflow and waits for the plan a worker makes (saying so through
   * {@code listener} when no worker takes it), then with {@code --wait} for its end.
   */
  public StartResult start(MigrationRequest request, StartOptions options, StartListener listener) {
    WorkflowExecution execution = starter.start(request, options.rerun());
    Plan plan = planWaiter.await(request.migrationId(), execution, options.planTimeout(), listener);
    MigrationResult result = options.waitForEnd() ? awaitResult(request.migrationId()) : null;
    return new StartResult(
        request.migrationId(), execution.getWorkflowId(), execution.getRunId(),
        webUi(execution.getWorkflowId()), plan, result);
  }

  /** Blocks until the migration ends; a failed migration becomes MIGRATION_FAILED. */
  public MigrationResult awaitResult(String id) {
    String workflowId = ZdmNames.workflowId(id);
    try {
      return client().newUntypedWorkflowStub(workflowId).getResult(MigrationResult.class);
    } catch (WorkflowFailedException e) {
      throw new ZdmException(
          ErrorCode.MIGRATION_FAILED,
          "Migration " + ZdmNames.migrationId(id) + " failed: " + rootMessage(e),
          "See `zdm status " + ZdmNames.migrationId(id) + "` for the steps done and undone.");
    } catch (RuntimeException e) {
      throw translate(id, e);
    }
  }

  public MigrationView status(String id) {
    String migrationId = ZdmNames.migrationId(id);
    String workflowId = ZdmNames.workflowId(id);
    DescribeWorkflowExecutionResponse described = describe(migrationId, workflowId);
    var info = described.getWorkflowExecutionInfo();
    String state = ExecutionStates.name(info.getStatus());
    boolean awaitingWorker = "RUNNING".equals(state) && !WorkflowRuns.workerTookIt(described);
    // A query needs a worker to answer it: without one it would block until its deadline.
    MigrationStatus status = awaitingWorker ? null : queryStatus(workflowId);
    String retrying = retrying(described);
    if (retrying == null && status != null && !workflowId.equals(status.activeWorkflowId())) {
      try {
        retrying = retrying(describe(migrationId, status.activeWorkflowId()));
      } catch (ZdmException childGone) {
        retrying = null;
      }
    }
    Progress progress = status == null ? null : status.progress();
    if (status != null && !workflowId.equals(status.activeWorkflowId())) {
      // Children report phases to the parent but not every batch: ask the running one.
      MigrationStatus child = queryStatus(status.activeWorkflowId());
      progress = child != null && child.progress() != null ? child.progress() : progress;
      if (progress == null) {
        progress = statementProgress(migrationId, status.activeWorkflowId());
      }
    }
    String failure = "FAILED".equals(state) || "TIMED_OUT".equals(state) ? failureOf(workflowId) : null;
    var attributes = info.getSearchAttributes();
    return new MigrationView(
        migrationId,
        workflowId,
        info.getExecution().getRunId(),
        status != null ? status.strategy() : MigrationLister.keyword(attributes, ZdmSearchAttributes.STRATEGY.getName()),
        status != null ? status.table() : MigrationLister.keyword(attributes, ZdmSearchAttributes.TABLE.getName()),
        state,
        status != null ? status.phase() : MigrationLister.keyword(attributes, ZdmSearchAttributes.PHASE.getName()),
        status != null ? status.waitingFor() : MigrationLister.keyword(attributes, ZdmSearchAttributes.WAITING_FOR.getName()),
        status != null ? status.message()
            : awaitingWorker ? "No worker has taken it yet: start one with `zdm worker` (task queue "
                + (info.getTaskQueue().isEmpty() ? connection.config().taskQueue() : info.getTaskQueue()) + ")."
            : null,
        status != null && "RUNNING".equals(state) && status.rollbackPossible(),
        status != null ? status.activeWorkflowId() : workflowId,
        info.hasStartTime() ? toInstant(info.getStartTime()) : null,
        info.hasCloseTime() ? toInstant(info.getCloseTime()) : null,
        status != null ? status.steps() : List.of(),
        progress,
        failure,
        retrying);
  }

  public List<MigrationSummary> list(boolean includeClosed) {
    try {
      return new MigrationLister(connection.service(), connection.config().namespace()).list(includeClosed);
    } catch (RuntimeException e) {
      throw translate(null, e);
    }
  }

  /** Refused (exit 1) with the stages the migration waits for when no running step waits for it. */
  public ControlResult deployed(String id, String version, String stage) {
    return update(id, "deployed",
        workflow -> workflow.confirmDeployment(new DeploymentSignal(version, stage)));
  }

  /** Refused when the running step has no batches to pause (copies, index builds, validations). */
  public ControlResult pause(String id) {
    return update(id, "pause", MigrationWorkflow::pauseBatches);
  }

  public ControlResult resume(String id) {
    return update(id, "resume", MigrationWorkflow::resumeBatches);
  }

  public ControlResult throttle(String id, ThrottleRequest throttle) {
    return update(id, "throttle", workflow -> workflow.throttleBatches(throttle));
  }

  public ControlResult approve(String id, ApprovalRequest approval) {
    return update(id, "approve", workflow -> workflow.approve(approval));
  }

  public ControlResult rollback(String id, RollbackRequest rollback) {
    return update(id, "rollback", workflow -> workflow.rollback(rollback));
  }

  /** An Update on the parent: its validator's refusal becomes REFUSED with the reason. */
  private ControlResult update(
      String id, String action, java.util.function.Function<MigrationWorkflow, String> call) {
    String migrationId = ZdmNames.migrationId(id);
    String workflowId = ZdmNames.workflowId(id);
    try {
      String answer = call.apply(client().newWorkflowStub(MigrationWorkflow.class, workflowId));
      return new ControlResult(migrationId, workflowId, action, answer);
    } catch (WorkflowUpdateException e) {
      throw new ZdmException(ErrorCode.REFUSED, rootMessage(e), "See `zdm status " + migrationId + "`.");
    } catch (WorkflowNotFoundException e) {
      // Closed workflows take no Updates: say it has ended (1), or that there is no such one (2).
      ensureRunning(migrationId);
      throw translate(migrationId, e);
    } catch (RuntimeException e) {
      throw translate(migrationId, e);
    }
  }

  /** Sends a fire-and-forget control signal (breakerReset, which every workflow takes). */
  public ControlResult control(String id, String signalName, Object argument, String message) {
    String migrationId = ZdmNames.migrationId(id);
    ensureRunning(migrationId);
    signal(migrationId, signalName, argument);
    return new ControlResult(migrationId, ZdmNames.workflowId(id), signalName, message);
  }

  private void signal(String migrationId, String signalName, Object argument) {
    WorkflowStub stub = client().newUntypedWorkflowStub(ZdmNames.workflowId(migrationId));
    try {
      if (argument == null) {
        stub.signal(signalName);
      } else {
        stub.signal(signalName, argument);
      }
    } catch (RuntimeException e) {
      throw translate(migrationId, e);
    }
  }

  private void ensureRunning(String migrationId) {
    DescribeWorkflowExecutionResponse described = describe(migrationId, ZdmNames.workflowId(migrationId));
    String state = ExecutionStates.name(described.getWorkflowExecutionInfo().getStatus());
    if (!"RUNNING".equals(state)) {
      throw new ZdmException(
          ErrorCode.REFUSED,
          "Migration " + migrationId + " has already ended (" + state + ").",
          "See `zdm status " + migrationId + "`.");
    }
  }

  private DescribeWorkflowExecutionResponse describe(String migrationId, String workflowId) {
    try {
      return connection.service().blockingStub().describeWorkflowExecution(
          DescribeWorkflowExecutionRequest.newBuilder()
              .setNamespace(connection.config().namespace())
              .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
              .build());
    } catch (StatusRuntimeException e) {
      throw translate(migrationId, e);
    }
  }

  private MigrationStatus queryStatus(String workflowId) {
    try {
      return client().newUntypedWorkflowStub(workflowId).query("status", MigrationStatus.class);
    } catch (WorkflowQueryException | WorkflowNotFoundException e) {
      return null;
    } catch (RuntimeException e) {
      Status grpc = TemporalErrors.statusOf(e);
      if (grpc != null && grpc.getCode() == Status.Code.UNAVAILABLE) {
        throw TemporalConnection.unreachable(connection.config(), e);
      }
      // The describe before it answered, so a deadline here means no worker answered the query
      // (workers gone, or a closed workflow's): fall back to search attributes.
      return null;
    }
  }

  private String failureOf(String workflowId) {
    try {
      client().newUntypedWorkflowStub(workflowId).getResult(1, java.util.concurrent.TimeUnit.SECONDS, Object.class);
      return null;
    } catch (WorkflowFailedException e) {
      return rootMessage(e);
    } catch (Exception e) {
      return null;
    }
  }

  /** A long statement's progress, from the running child's activity heartbeat. */
  private Progress statementProgress(String migrationId, String childWorkflowId) {
    try {
      return HeartbeatProgress.of(describe(migrationId, childWorkflowId));
    } catch (ZdmException childGone) {
      return null;
    }
  }

  private static String retrying(DescribeWorkflowExecutionResponse described) {
    for (PendingActivityInfo activity : described.getPendingActivitiesList()) {
      if (activity.getAttempt() > 1 && activity.hasLastFailure()) {
        return activity.getActivityType().getName() + " attempt " + activity.getAttempt() + ": "
            + activity.getLastFailure().getMessage();
      }
    }
    return null;
  }

  private ZdmException translate(String migrationId, RuntimeException e) {
    return errors.translate(migrationId, e);
  }

  private static String rootMessage(Throwable failure) {
    return TemporalErrors.rootMessage(failure);
  }

  private String webUi(String workflowId) {
    return webUiBase == null
        ? null
        : webUiBase + "/namespaces/" + connection.config().namespace() + "/workflows/" + workflowId;
  }

  private WorkflowClient client() {
    return connection.client();
  }

  private static Instant toInstant(com.google.protobuf.Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }

  @Override
  public void close() {
    connection.close();
  }
}
