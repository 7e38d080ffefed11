package dev.zdm.testing;

import dev.zdm.model.MigrationStatus;
import dev.zdm.temporal.ZdmSearchAttributes;
import dev.zdm.workflow.StrategyWorkflowControls;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.function.Predicate;

/** Temporal's in-memory test server with a worker running the given workflows and real activities. */
public final class TemporalTestEnv implements AutoCloseable {
  public static final String TASK_QUEUE = "zdm-test";
  public static final Duration WAIT_LIMIT = Duration.ofSeconds(120);

  private final TestWorkflowEnvironment env;

  public TemporalTestEnv(Class<?>[] workflowTypes, Object... activities) {
    this(TestEnvironmentOptions.getDefaultInstance(), workflowTypes, activities);
  }

  /** With options, e.g. without time skipping when activities must run into real heartbeat timeouts. */
  public TemporalTestEnv(TestEnvironmentOptions options, Class<?>[] workflowTypes, Object... activities) {
    env = TestWorkflowEnvironment.newInstance(options);
    for (var key : ZdmSearchAttributes.ALL) {
      env.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    Worker worker =
        env.newWorker(
            TASK_QUEUE,
            WorkerOptions.newBuilder().setStickyQueueScheduleToStartTimeout(Duration.ZERO).build());
    worker.registerWorkflowImplementationTypes(workflowTypes);
    worker.registerActivitiesImplementations(activities);
    env.start();
  }

  public WorkflowClient client() {
    return env.getWorkflowClient();
  }

  public <W> W newWorkflow(Class<W> type, String workflowId) {
    return client()
        .newWorkflowStub(
            type, WorkflowOptions.newBuilder().setTaskQueue(TASK_QUEUE).setWorkflowId(workflowId).build());
  }

  /** Polls the status query until it matches; fails the test after {@link #WAIT_LIMIT}. */
  public static MigrationStatus awaitStatus(
      StrategyWorkflowControls workflow, Predicate<MigrationStatus> condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT_LIMIT.toNanos();
    MigrationStatus last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = workflow.status();
      } catch (RuntimeException notYet) {
        last = null;
      }
      if (last != null && condition.test(last)) {
        return last;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("timed out waiting for " + what + "; last status " + last);
  }

  @Override
  public void close() {
    env.close();
  }
}
