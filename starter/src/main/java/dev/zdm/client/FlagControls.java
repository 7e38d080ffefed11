package dev.zdm.client;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.featureflag.FeatureFlagOperation;
import dev.zdm.featureflag.FeatureFlagWorkflow;
import dev.zdm.model.plan.FeatureFlagStep;
import dev.zdm.temporal.ZdmNames;
import dev.zdm.temporalclient.ExecutionStates;
import dev.zdm.temporalclient.TemporalConnection;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowUpdateException;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code zdm flag set|hold|continue}: Updates sent to the rollout's own workflow (its validator
 * answers from the live percentage). ID is the migration id, or the flag's name when the rollout
 * was started under the default id {@code flag-<name>}.
 */
final class FlagControls {
  private final TemporalConnection connection;
  private final TemporalErrors errors;

  FlagControls(TemporalConnection connection, TemporalErrors errors) {
    this.connection = connection;
    this.errors = errors;
  }

  ControlResult update(String id, String action, Function<FeatureFlagWorkflow, String> call) {
    String migrationId = resolve(id);
    String rolloutId = FeatureFlagOperation.rolloutWorkflowId(migrationId);
    String parentState = state(ZdmNames.workflowId(migrationId)).orElseThrow();
    Optional<String> rolloutState = state(rolloutId);
    if (rolloutState.isEmpty()) {
      throw new ZdmException(ErrorCode.BAD_INPUT, "Migration " + migrationId + " is not a flag rollout"
          + ("RUNNING".equals(parentState) ? " (or has not started its rollout yet)." : "."),
          "Start one with `zdm flag start FLAG --steps 5,25,50,100`.");
    }
    if (!"RUNNING".equals(rolloutState.get())) {
      throw new ZdmException(ErrorCode.REFUSED, "The rollout of " + migrationId + " has ended ("
          + rolloutState.get() + ").", "See `zdm status " + migrationId + "`.");
    }
    try {
      String answer = call.apply(connection.client().newWorkflowStub(FeatureFlagWorkflow.class, rolloutId));
      return new ControlResult(migrationId, rolloutId, action, answer);
    } catch (WorkflowUpdateException e) {
      throw new ZdmException(ErrorCode.REFUSED, TemporalErrors.rootMessage(e),
          "See `zdm status " + migrationId + "`.");
    } catch (WorkflowNotFoundException e) {
      throw new ZdmException(ErrorCode.REFUSED, "The rollout of " + migrationId + " has ended.",
          "See `zdm status " + migrationId + "`.");
    } catch (RuntimeException e) {
      throw errors.translate(migrationId, e);
    }
  }

  /** The migration id behind ID: itself, or {@code flag-<ID>} when ID names a flag. */
  private String resolve(String id) {
    String migrationId = ZdmNames.migrationId(id);
    if (state(ZdmNames.workflowId(migrationId)).isPresent()) {
      return migrationId;
    }
    if (FeatureFlagStep.VALID_FLAG.matcher(migrationId).matches()) {
      String byFlag = FeatureFlagStep.defaultMigrationId(migrationId);
      if (state(ZdmNames.workflowId(byFlag)).isPresent()) {
        return byFlag;
      }
    }
    throw new ZdmException(ErrorCode.BAD_INPUT, "No flag rollout '" + id + "': no migration " + migrationId
        + " and no rollout of a flag named " + migrationId + ".",
        "Run `zdm list --all` to see the migrations and rollouts.");
  }

  /** The workflow's execution state, empty when there is no such workflow. */
  private Optional<String> state(String workflowId) {
    try {
      DescribeWorkflowExecutionResponse described = connection.service().blockingStub()
          .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
              .setNamespace(connection.config().namespace())
              .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
              .build());
      return Optional.of(ExecutionStates.name(described.getWorkflowExecutionInfo().getStatus()));
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND && !isNamespaceMissing(e)) {
        return Optional.empty();
      }
      throw errors.translate(ZdmNames.migrationId(workflowId), e);
    }
  }

  private static boolean isNamespaceMissing(StatusRuntimeException e) {
    String description = e.getStatus().getDescription();
    return description != null && description.startsWith("namespace") && description.contains("not found");
  }
}
