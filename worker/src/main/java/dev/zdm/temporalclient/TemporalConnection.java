package dev.zdm.temporalclient;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;

/** Opens the connection to Temporal and turns "cannot reach it" into one clear error. */
public final class TemporalConnection implements AutoCloseable {
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration RPC_TIMEOUT = Duration.ofSeconds(10);

  private final TemporalConfig config;
  private final WorkflowServiceStubs service;
  private final WorkflowClient client;

  private TemporalConnection(TemporalConfig config, WorkflowServiceStubs service) {
    this.config = config;
    this.service = service;
    this.client =
        WorkflowClient.newInstance(
            service, WorkflowClientOptions.newBuilder().setNamespace(config.namespace()).build());
  }

  /** Lazy: the first call finds out whether the server answers (fast start for the CLI). */
  public static TemporalConnection open(TemporalConfig config) {
    return new TemporalConnection(config, WorkflowServiceStubs.newServiceStubs(options(config, null)));
  }

  /** Checked: fails within {@link #CONNECT_TIMEOUT} when the server does not answer. */
  public static TemporalConnection openChecked(
      TemporalConfig config, com.uber.m3.tally.Scope metricsScope) {
    try {
      return new TemporalConnection(
          config,
          WorkflowServiceStubs.newConnectedServiceStubs(
              options(config, metricsScope), CONNECT_TIMEOUT));
    } catch (RuntimeException e) {
      throw unreachable(config, e);
    }
  }

  private static WorkflowServiceStubsOptions options(
      TemporalConfig config, com.uber.m3.tally.Scope metricsScope) {
    WorkflowServiceStubsOptions.Builder options =
        WorkflowServiceStubsOptions.newBuilder()
            .setTarget(config.address())
            .setRpcTimeout(RPC_TIMEOUT);
    if (metricsScope != null) {
      options.setMetricsScope(metricsScope);
    }
    return options.build();
  }

  public static ZdmException unreachable(TemporalConfig config, Throwable cause) {
    return new ZdmException(
        ErrorCode.UNREACHABLE,
        "Temporal at " + config.address() + " cannot be reached (" + shortReason(cause) + ").",
        "Start it (`zdm dev` for a local one) or point TEMPORAL_ADDRESS at a running server.",
        cause);
  }

  /** True when a gRPC failure means the server is not there (as opposed to a refused request). */
  public static boolean isUnreachable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException status) {
        Status.Code code = status.getStatus().getCode();
        return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
      }
    }
    return false;
  }

  private static String shortReason(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException status) {
        return status.getStatus().getCode() + ": " + status.getStatus().getDescription();
      }
    }
    return cause.getMessage();
  }

  public TemporalConfig config() {
    return config;
  }

  public WorkflowServiceStubs service() {
    return service;
  }

  public WorkflowClient client() {
    return client;
  }

  @Override
  public void close() {
    service.shutdown();
    service.awaitTermination(2, java.util.concurrent.TimeUnit.SECONDS);
  }
}
