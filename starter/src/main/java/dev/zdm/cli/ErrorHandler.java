package dev.zdm.cli;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.temporalclient.TemporalConnection;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** Turns every failure into one or two sentences on stderr and the exit code of its error code. */
final class ErrorHandler implements IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception e, CommandLine command, ParseResult parseResult) {
    ZdmException error = asZdmException(e);
    var err = command.getErr();
    err.println("zdm: " + error.getMessage());
    if (error.hint() != null) {
      err.println(error.hint());
    }
    if (System.getenv("ZDM_DEBUG") != null) {
      e.printStackTrace(err);
    }
    err.flush();
    return error.code().exitCode();
  }

  static ZdmException asZdmException(Exception e) {
    if (e instanceof ZdmException zdm) {
      return zdm;
    }
    if (TemporalConnection.isUnreachable(e)) {
      return new ZdmException(ErrorCode.UNREACHABLE, "Temporal cannot be reached (" + grpcReason(e) + ").",
          "Start it (`zdm dev`) or point TEMPORAL_ADDRESS at a running server.", e);
    }
    if (e instanceof IllegalArgumentException) {
      return new ZdmException(ErrorCode.BAD_INPUT, e.getMessage());
    }
    // A zdm bug: one sentence still, and the stack trace only on request.
    return new ZdmException(ErrorCode.UNEXPECTED,
        "unexpected error (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ").",
        "Run again with ZDM_DEBUG=1 for the stack trace, and report it.", e);
  }

  /** The gRPC status (code and description), not the SDK's summary of the call that failed. */
  private static String grpcReason(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException grpc) {
        Status status = grpc.getStatus();
        return status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
      }
    }
    return failure.getMessage();
  }
}
