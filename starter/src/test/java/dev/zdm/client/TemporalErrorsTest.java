package dev.zdm.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.temporalclient.TemporalConfig;
import io.grpc.Status;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.RetryState;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowServiceException;
import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.Test;

/** Every raw Temporal failure becomes one sentence with an exit code, never the SDK's call summary. */
class TemporalErrorsTest {
  private static final WorkflowExecution EXECUTION = WorkflowExecution.newBuilder().setWorkflowId("zdm-m1").build();
  private final TemporalErrors errors = new TemporalErrors(new TemporalConfig("temporal:7233", "prod", "zdm-migrations"));

  private static RuntimeException fromServer(Status.Code code, String description) {
    return new WorkflowServiceException(EXECUTION, "Migration", code.toStatus().withDescription(description).asRuntimeException());
  }

  @Test
  void anUnknownSearchAttributeSaysHowToAddIt() {
    ZdmException error = errors.translate("m1", fromServer(Status.Code.INVALID_ARGUMENT, "search attribute ZdmMigrationId is not defined"));
    assertThat(error.code()).isEqualTo(ErrorCode.REFUSED);
    assertThat(error.getMessage()).startsWith("Migration m1: namespace prod at temporal:7233 lacks zdm's search attributes")
        .doesNotContain("workflowId='");
    assertThat(error.hint()).contains("temporal operator search-attribute create --namespace prod --type Keyword --name ZdmMigrationId");
  }

  @Test
  void anUnavailableServerIsUnreachableExitCode3() {
    ZdmException error = errors.translate("m1", fromServer(Status.Code.UNAVAILABLE, "io exception"));
    assertThat(error.code()).isEqualTo(ErrorCode.UNREACHABLE);
    assertThat(error.code().exitCode()).isEqualTo(3);
    assertThat(error.getMessage()).contains("Temporal at temporal:7233 cannot be reached");
  }

  @Test
  void aMissingWorkflowIsAnUnknownMigrationEvenWhenTheDescriptionNamesTheNamespace() {
    ZdmException error = errors.translate("m1", fromServer(Status.Code.NOT_FOUND,
        "Execution not found in mutable state: WorkflowId{namespace='prod', workflowId='zdm-m1'}"));
    assertThat(error.code()).isEqualTo(ErrorCode.BAD_INPUT);
    assertThat(error.getMessage()).isEqualTo("No migration m1 (workflow zdm-m1) in namespace prod at temporal:7233.");
  }

  @Test
  void aMissingNamespaceSaysSo() {
    ZdmException error = errors.translate("m1", fromServer(Status.Code.NOT_FOUND, "Namespace prod is not found."));
    assertThat(error.code()).isEqualTo(ErrorCode.BAD_INPUT);
    assertThat(error.getMessage()).isEqualTo("Temporal at temporal:7233 has no namespace prod.");
  }

  @Test
  void aPermissionProblemIsARefusalWithTheServersReason() {
    ZdmException error = errors.translate("m1", fromServer(Status.Code.PERMISSION_DENIED, "Request unauthorized."));
    assertThat(error.code()).isEqualTo(ErrorCode.REFUSED);
    assertThat(error.getMessage()).isEqualTo(
        "Temporal at temporal:7233 refused the request for migration m1 (PERMISSION_DENIED: Request unauthorized.).");
    assertThat(error.hint()).contains("credentials");
  }

  @Test
  void anythingElseIsUnexpectedWithTheStatusNotTheCallSummary() {
    ZdmException error = errors.translate("m1", fromServer(Status.Code.INTERNAL, "boom"));
    assertThat(error.code()).isEqualTo(ErrorCode.UNEXPECTED);
    assertThat(error.getMessage()).isEqualTo("Migration m1: unexpected answer from Temporal at temporal:7233 (INTERNAL: boom).")
        .doesNotContain("workflowId='");
    assertThat(error.hint()).contains("ZDM_DEBUG=1");

    ZdmException local = errors.translate("m1",
        new WorkflowServiceException(EXECUTION, "Migration", new IllegalStateException("cannot decode the plan")));
    assertThat(local.code()).isEqualTo(ErrorCode.UNEXPECTED);
    assertThat(local.getMessage()).contains("(cannot decode the plan)").doesNotContain("workflowId='");
  }

  @Test
  void aFailedWorkflowCarriesItsOwnReason() {
    ZdmException error = errors.translate("m1", new WorkflowFailedException(EXECUTION, "Migration",
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED, 7, RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE,
        ApplicationFailure.newNonRetryableFailure("[m1] step 2 failed: lock timeout", "StepFailed")));
    assertThat(error.code()).isEqualTo(ErrorCode.MIGRATION_FAILED);
    assertThat(error.getMessage()).isEqualTo("Migration m1: [m1] step 2 failed: lock timeout");
  }

  @Test
  void aZdmExceptionPassesThrough() {
    ZdmException own = ZdmException.badInput("bad flag");
    assertThat(errors.translate("m1", own)).isSameAs(own);
  }
}
