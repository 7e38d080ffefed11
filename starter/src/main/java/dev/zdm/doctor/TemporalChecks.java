package dev.zdm.doctor;

import dev.zdm.temporalclient.TemporalConfig;
import dev.zdm.temporalclient.TemporalConnection;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.api.workflowservice.v1.GetSystemInfoResponse;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Temporal side: the server answers, the namespace exists, zdm's search attributes are
 * registered, and workers poll the task queue. A check that needs an earlier one is not made
 * when that one failed.
 */
final class TemporalChecks {
  static final String REACHABLE = "temporal";
  static final String NAMESPACE = "namespace";

  private final TemporalConfig config;

  TemporalChecks(TemporalConfig config) {
    this.config = config;
  }

  List<DoctorCheck> run() {
    List<DoctorCheck> checks = new ArrayList<>();
    try (TemporalConnection connection = TemporalConnection.open(config)) {
      WorkflowServiceStubs service = connection.service();
      DoctorCheck reachable = reachable(service);
      checks.add(reachable);
      DoctorCheck namespace = reachable.isProblem()
          ? DoctorCheck.notChecked(NAMESPACE, "Temporal cannot be reached.")
          : namespace(service);
      checks.add(namespace);
      if (reachable.isProblem() || namespace.isProblem()) {
        String why = reachable.isProblem() ? "Temporal cannot be reached." : "the namespace does not exist.";
        checks.add(DoctorCheck.notChecked(SearchAttributeCheck.NAME, why));
        checks.add(DoctorCheck.notChecked(WorkerPollerCheck.NAME, why));
      } else {
        checks.add(new SearchAttributeCheck(config).run(service));
        checks.add(new WorkerPollerCheck(config).run(service));
      }
    }
    return checks;
  }

  private DoctorCheck reachable(WorkflowServiceStubs service) {
    try {
      GetSystemInfoResponse info = service.blockingStub()
          .withDeadlineAfter(TemporalConnection.CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
      String version = info.getServerVersion().isEmpty() ? "" : " (server " + info.getServerVersion() + ")";
      return DoctorCheck.ok(REACHABLE, "Temporal at " + config.address() + " answers" + version + ".");
    } catch (StatusRuntimeException e) {
      return DoctorCheck.problem(REACHABLE,
          "Temporal at " + config.address() + " cannot be reached (" + describe(e.getStatus()) + ").",
          "Start it (`zdm dev`, or `docker compose up`) or point TEMPORAL_ADDRESS / --address at a running server.");
    }
  }

  private DoctorCheck namespace(WorkflowServiceStubs service) {
    try {
      service.blockingStub().describeNamespace(
          DescribeNamespaceRequest.newBuilder().setNamespace(config.namespace()).build());
      return DoctorCheck.ok(NAMESPACE, "Namespace " + config.namespace() + " exists.");
    } catch (StatusRuntimeException e) {
      return namespaceRefused(e.getStatus());
    }
  }

  /** DescribeNamespace's refusal as a real server gives it (the test server accepts every name). */
  DoctorCheck namespaceRefused(Status status) {
    if (status.getCode() == Status.Code.NOT_FOUND) {
      return DoctorCheck.problem(NAMESPACE,
          "Temporal at " + config.address() + " has no namespace " + config.namespace() + ".",
          "Create it (`temporal operator namespace create " + config.namespace()
              + "`) or name another with TEMPORAL_NAMESPACE / --namespace.");
    }
    return DoctorCheck.notChecked(NAMESPACE, "DescribeNamespace failed (" + describe(status) + ").");
  }

  static String describe(Status status) {
    return status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
  }
}
