package dev.zdm.client;

import dev.zdm.migration.MigrationWorkflow;
import dev.zdm.model.MigrationRequest;
import dev.zdm.temporalclient.SearchAttributeRegistrar;
import dev.zdm.temporalclient.TemporalConnection;
import dev.zdm.temporal.ZdmNames;
import dev.zdm.temporal.ZdmSearchAttributes;
import io.grpc.Status;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
import java.time.Duration;

/**
 * Starts a migration's workflow under its id. The id is refused while a run holds it: a running
 * one, a completed one, and a rolled-back one unless {@code --rerun} (decision 0320). A fresh
 * server knows none of zdm's search attributes until someone adds them, and the start sets them,
 * so every start adds them first (a worker does too; adding twice is harmless) rather than fail
 * when it beats the first worker to a new server.
 */
final class MigrationStarter {
  /** How long a server may take to accept search attributes just added (its caches refresh). */
  static final Duration SEARCH_ATTRIBUTES_SETTLE = Duration.ofSeconds(10);
  private static final Duration SETTLE_PAUSE = Duration.ofMillis(250);

  private final TemporalConnection connection;
  private final TemporalErrors errors;
  private final WorkflowRuns runs;

  MigrationStarter(TemporalConnection connection, TemporalErrors errors, WorkflowRuns runs) {
    this.connection = connection;
    this.errors = errors;
    this.runs = runs;
  }

  WorkflowExecution start(MigrationRequest request, boolean rerun) {
    String migrationId = request.migrationId();
    WorkflowIdReusePolicy reuse = rerun ? rerunPolicy(migrationId) : keepCompletedIds();
    // Before the start, not after its refusal: the test server keeps the id of a start it refused
    // for an unknown search attribute, so a retry would meet a workflow that does not exist.
    Status registration = SearchAttributeRegistrar.tryRegister(connection.service(), connection.config().namespace());
    long settleDeadline = System.nanoTime() + SEARCH_ATTRIBUTES_SETTLE.toNanos();
    while (true) {
      try {
        return WorkflowClient.start(newStub(request, reuse)::run, request);
      } catch (WorkflowExecutionAlreadyStarted e) {
        ExistingRun existing = runs.latest(migrationId);
        throw existing == null ? errors.translate(migrationId, e) : existing.refusal();
      } catch (RuntimeException e) {
        Status status = TemporalErrors.statusOf(e);
        if (status == null || !SearchAttributeRegistrar.isMissingAttribute(status)) {
          throw errors.translate(migrationId, e);
        }
        if (!registration.isOk()) {
          throw errors.missingSearchAttributes(migrationId, registration, e);
        }
        if (System.nanoTime() > settleDeadline) {
          throw errors.missingSearchAttributes(migrationId, status, e);
        }
        pause();
      }
    }
  }

  /** Failed, cancelled, terminated and timed-out runs may be started again; completed ones not. */
  private static WorkflowIdReusePolicy keepCompletedIds() {
    return WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY;
  }

  /** --rerun: a rolled-back run's id may be reused; running and completed ones stay refused. */
  private WorkflowIdReusePolicy rerunPolicy(String migrationId) {
    ExistingRun latest = runs.latest(migrationId);
    if (latest == null) {
      return keepCompletedIds();
    }
    if (latest.running() || latest.completed()) {
      throw latest.refusal();
    }
    // Between this look and the start another --rerun may start it: the second start then meets
    // a running workflow, which the default conflict policy refuses.
    return latest.rolledBack()
        ? WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE
        : keepCompletedIds();
  }

  private MigrationWorkflow newStub(MigrationRequest request, WorkflowIdReusePolicy reuse) {
    WorkflowOptions options =
        WorkflowOptions.newBuilder()
            .setWorkflowId(ZdmNames.workflowId(request.migrationId()))
            .setTaskQueue(connection.config().taskQueue())
            .setWorkflowIdReusePolicy(reuse)
            .setStaticSummary(
                "zdm migration " + request.migrationId() + ": " + request.sourceName()
                    + (request.strategy() == null ? "" : " (" + request.strategy().cliName() + ")"))
            .setTypedSearchAttributes(
                searchAttributes(request))
            .build();
    return connection.client().newWorkflowStub(MigrationWorkflow.class, options);
  }

  /** A flag rollout's parent carries its flag too, so `ZdmFlag = "x"` finds it in the Web UI. */
  private static SearchAttributes searchAttributes(MigrationRequest request) {
    SearchAttributes.Builder attributes = SearchAttributes.newBuilder()
        .set(ZdmSearchAttributes.MIGRATION_ID, request.migrationId())
        .set(ZdmSearchAttributes.STRATEGY,
            request.strategy() == null ? "auto" : request.strategy().cliName())
        .set(ZdmSearchAttributes.PHASE, "starting")
        .set(ZdmSearchAttributes.WAITING_FOR, ZdmSearchAttributes.NOTHING);
    if (request.flagRollout() != null) {
      attributes.set(ZdmSearchAttributes.FLAG, request.flagRollout().flag());
    }
    return attributes.build();
  }

  private static void pause() {
    try {
      Thread.sleep(SETTLE_PAUSE.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for search attributes", e);
    }
  }
}
