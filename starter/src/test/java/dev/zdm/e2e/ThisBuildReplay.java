package dev.zdm.e2e;

import dev.zdm.migration.MigrationOperations;
import dev.zdm.migration.MigrationWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Replays workflows of a running test server with this build's workflow classes. */
final class ThisBuildReplay {
  /**
   * The SDK's 1 s deadlock detector fires on a loaded machine while a cold JVM builds its JSON
   * serializers; replay checks determinism, not speed.
   */
  static final Duration DEADLOCK_DETECTION_TIMEOUT = Duration.ofMinutes(1);

  private ThisBuildReplay() {}

  static void replay(String serverAddress, String... workflowIds) throws Exception {
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(serverAddress).build());
    try (TestWorkflowEnvironment replay = TestWorkflowEnvironment.newInstance()) {
      Worker worker = replay.newWorker("replay", WorkerOptions.newBuilder()
          .setDefaultDeadlockDetectionTimeout(DEADLOCK_DETECTION_TIMEOUT.toMillis()).build());
      List<Class<?>> types = new ArrayList<>();
      types.add(MigrationWorkflowImpl.class);
      types.addAll(MigrationOperations.all().workflowImplementations());
      worker.registerWorkflowImplementationTypes(types.toArray(Class<?>[]::new));
      WorkflowClient client = WorkflowClient.newInstance(service, WorkflowClientOptions.newBuilder().build());
      for (String workflowId : workflowIds) {
        WorkflowReplayer.replayWorkflowExecution(client.fetchHistory(workflowId), worker);
      }
    } finally {
      service.shutdown();
    }
  }
}
