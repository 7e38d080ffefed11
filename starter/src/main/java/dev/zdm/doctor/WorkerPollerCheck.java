package dev.zdm.doctor;

import dev.zdm.temporalclient.TemporalConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.TaskQueueType;
import io.temporal.api.taskqueue.v1.PollerInfo;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.List;
import java.util.stream.Stream;

/**
 * Some worker polls zdm's task queue for workflow tasks and for activity tasks: without one a
 * started migration waits and nothing says why.
 */
final class WorkerPollerCheck {
  static final String NAME = "workers";

  private final TemporalConfig config;

  WorkerPollerCheck(TemporalConfig config) {
    this.config = config;
  }

  DoctorCheck run(WorkflowServiceStubs service) {
    try {
      return evaluate(pollers(service, TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
          pollers(service, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY));
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        return DoctorCheck.notChecked(NAME,
            "Temporal at " + config.address() + " cannot describe task queues (Temporal's test server).");
      }
      return DoctorCheck.notChecked(NAME, "DescribeTaskQueue failed (" + TemporalChecks.describe(e.getStatus()) + ").");
    }
  }

  private List<PollerInfo> pollers(WorkflowServiceStubs service, TaskQueueType type) {
    return service.blockingStub()
        .describeTaskQueue(DescribeTaskQueueRequest.newBuilder()
            .setNamespace(config.namespace())
            .setTaskQueue(TaskQueue.newBuilder().setName(config.taskQueue()).build())
            .setTaskQueueType(type)
            .build())
        .getPollersList();
  }

  /** Judges the pollers a real server lists for the workflow and the activity task queue. */
  DoctorCheck evaluate(List<PollerInfo> workflowPollers, List<PollerInfo> activityPollers) {
    if (workflowPollers.isEmpty() || activityPollers.isEmpty()) {
      String which = workflowPollers.isEmpty() && activityPollers.isEmpty() ? "workflow or activity"
          : workflowPollers.isEmpty() ? "workflow" : "activity";
      return DoctorCheck.problem(NAME,
          "No worker polls task queue " + config.taskQueue() + " for " + which + " tasks in namespace "
              + config.namespace() + ": started migrations would wait.",
          "Start one (`zdm worker`, or `docker compose up -d zdm-worker`) with ZDM_TASK_QUEUE=" + config.taskQueue() + ".");
    }
    List<String> identities = Stream.concat(workflowPollers.stream(), activityPollers.stream())
        .map(PollerInfo::getIdentity).distinct().sorted().toList();
    return DoctorCheck.ok(NAME,
        identities.size() + " worker(s) poll task queue " + config.taskQueue() + ": " + String.join(", ", identities) + ".");
  }
}
