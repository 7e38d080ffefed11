package dev.zdm.client;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.temporalclient.SearchAttributeRegistrar;
import dev.zdm.temporalclient.TemporalConfig;
import dev.zdm.temporalclient.TemporalConnection;
import dev.zdm.temporal.ZdmNames;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;
import java.util.Locale;

/**
 * Turns what the Temporal SDK throws into the one {@link ZdmException}, with a sentence a person
 * can act on: the SDK's own messages ({@code workflowId='zdm-x', runId='', workflowType=...})
 * name the call, not what went wrong, and must never be all a user sees.
 */
final class TemporalErrors {
  static final String DEBUG_HINT = "Run again with ZDM_DEBUG=1 for the stack trace.";

  private final TemporalConfig config;

  TemporalErrors(TemporalConfig config) {
    this.config = config;
  }

  /** {@code migrationId} may be null for calls that address no migration (list). */
  ZdmException translate(String migrationId, RuntimeException e) {
    if (e instanceof ZdmException zdm) {
      return zdm;
    }
    if (TemporalConnection.isUnreachable(e)) {
      return TemporalConnection.unreachable(config, e);
    }
    if (e instanceof WorkflowNotFoundException) {
      return unknownMigration(migrationId);
    }
    Status status = statusOf(e);
    if (status != null) {
      return fromStatus(migrationId, status, e);
    }
    String failure = failureMessage(e);
    if (failure != null) {
      return new ZdmException(ErrorCode.MIGRATION_FAILED, forMigration(migrationId) + failure, null, e);
    }
    return unexpected(migrationId, e);
  }

  ZdmException unknownMigration(String migrationId) {
    if (migrationId == null) {
      return new ZdmException(ErrorCode.BAD_INPUT, "Temporal at " + config.address() + " has no such workflow.");
    }
    return new ZdmException(
        ErrorCode.BAD_INPUT,
        "No migration " + migrationId + " (workflow " + ZdmNames.workflowId(migrationId) + ") in namespace "
            + config.namespace() + " at " + config.address() + ".",
        "Run `zdm list --all` to see the migrations there.");
  }

  /** The search attributes zdm sets are unknown to the server and could not be added. */
  ZdmException missingSearchAttributes(String migrationId, Status refusal, Throwable cause) {
    return new ZdmException(
        ErrorCode.REFUSED,
        forMigration(migrationId) + "namespace " + config.namespace() + " at " + config.address()
            + " lacks zdm's search attributes and zdm could not add them (" + describe(refusal) + ").",
        "Start a zdm worker once (it adds them), or add them yourself: `temporal operator search-attribute create"
            + " --namespace " + config.namespace() + " --type Keyword --name ZdmMigrationId` and likewise ZdmTable,"
            + " ZdmStrategy, ZdmPhase, ZdmWaitingFor.",
        cause);
  }

  private ZdmException fromStatus(String migrationId, Status status, RuntimeException e) {
    return switch (status.getCode()) {
      case NOT_FOUND -> isMissingNamespace(status)
          ? new ZdmException(
              ErrorCode.BAD_INPUT,
              "Temporal at " + config.address() + " has no namespace " + config.namespace() + ".",
              "Create it (`temporal operator namespace create " + config.namespace()
                  + "`) or name another with TEMPORAL_NAMESPACE or --namespace.",
              e)
          : unknownMigration(migrationId);
      case INVALID_ARGUMENT -> SearchAttributeRegistrar.isMissingAttribute(status)
          ? missingSearchAttributes(migrationId, status, e)
          : refused(migrationId, status, e);
      case PERMISSION_DENIED, UNAUTHENTICATED, FAILED_PRECONDITION, ALREADY_EXISTS, RESOURCE_EXHAUSTED ->
          refused(migrationId, status, e);
      default -> unexpected(migrationId, e);
    };
  }

  /** "Namespace x is not found." (a missing workflow's description may name its namespace too). */
  static boolean isMissingNamespace(Status status) {
    String description = status.getDescription() == null ? "" : status.getDescription().toLowerCase(Locale.ROOT);
    return status.getCode() == Status.Code.NOT_FOUND && description.startsWith("namespace") && description.contains("not found");
  }

  private ZdmException refused(String migrationId, Status status, RuntimeException e) {
    return new ZdmException(
        ErrorCode.REFUSED,
        "Temporal at " + config.address() + " refused the request"
            + (migrationId == null ? "" : " for migration " + migrationId) + " (" + describe(status) + ").",
        status.getCode() == Status.Code.PERMISSION_DENIED || status.getCode() == Status.Code.UNAUTHENTICATED
            ? "Check the credentials and the namespace's permissions."
            : null,
        e);
  }

  private ZdmException unexpected(String migrationId, RuntimeException e) {
    Status status = statusOf(e);
    String what = status != null ? describe(status) : innermostMessage(e);
    return new ZdmException(
        ErrorCode.UNEXPECTED,
        forMigration(migrationId) + "unexpected answer from Temporal at " + config.address() + " (" + what + ").",
        DEBUG_HINT,
        e);
  }

  private static String forMigration(String migrationId) {
    return migrationId == null ? "" : "Migration " + migrationId + ": ";
  }

  private static String describe(Status status) {
    return status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
  }

  static Status statusOf(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException grpc) {
        return grpc.getStatus();
      }
    }
    return null;
  }

  /** The innermost Temporal failure's own message (an activity's or workflow's), or null. */
  static String failureMessage(Throwable failure) {
    String message = null;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure application) {
        message = application.getOriginalMessage();
      } else if (t instanceof TemporalFailure temporal) {
        message = temporal.getOriginalMessage();
      }
    }
    return message;
  }

  /** The innermost failure message: the cause a person can act on, never the SDK's call summary. */
  static String rootMessage(Throwable failure) {
    String message = failureMessage(failure);
    return message != null ? message : innermostMessage(failure);
  }

  private static String innermostMessage(Throwable failure) {
    String message = null;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !(t instanceof WorkflowException)) {
        message = t.getMessage();
      }
    }
    return message != null ? message : failure.getClass().getSimpleName();
  }
}
