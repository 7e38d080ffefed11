package dev.zdm.worker;

import dev.zdm.ledger.TableClaims;
import dev.zdm.migration.MigrationWorkflow;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationRequest;
import dev.zdm.model.MigrationStatus;
import dev.zdm.model.Strategy;
import dev.zdm.temporal.ZdmNames;
import dev.zdm.temporal.ZdmSearchAttributes;
import dev.zdm.testing.TestDatabase;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * Temporal's in-process test environment (time skipping) with a real worker: the real workflows
 * and the real activities against the test's own PostgreSQL schema.
 */
final class WorkflowTestEnvironment implements AutoCloseable {
  static final String TASK_QUEUE = "zdm-test";

  final TestWorkflowEnvironment env;
  final TestDatabase db;

  WorkflowTestEnvironment(TestDatabase db) {
    this(db, Registrations.activities(db.target(), TableClaims.DEFAULT_MAX_CONCURRENT_MIGRATIONS));
  }

  /** Every workflow type, with these activities (e.g. the real ones with one wrapped). */
  WorkflowTestEnvironment(TestDatabase db, List<Object> activities) {
    this.db = db;
    this.env = TestWorkflowEnvironment.newInstance();
    ZdmSearchAttributes.ALL.forEach(
        key -> env.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    Worker worker = env.newWorker(
        TASK_QUEUE, WorkerOptions.newBuilder().setStickyQueueScheduleToStartTimeout(Duration.ZERO).build());
    worker.registerWorkflowImplementationTypes(Registrations.workflowTypes().toArray(Class<?>[]::new));
    worker.registerActivitiesImplementations(activities.toArray());
    env.start();
  }

  WorkflowClient client() {
    return env.getWorkflowClient();
  }

  MigrationWorkflow start(String id, String sql, Strategy strategy, MigrationOptions options) {
    MigrationWorkflow workflow = client().newWorkflowStub(MigrationWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(ZdmNames.workflowId(id)).setTaskQueue(TASK_QUEUE).build());
    WorkflowClient.start(workflow::run,
        new MigrationRequest(id, "V1__test.sql", sql.replace("{schema}", "\"" + db.schema() + "\""), strategy, options));
    return client().newWorkflowStub(MigrationWorkflow.class, ZdmNames.workflowId(id));
  }

  /** Polls the status query, letting workflow time pass, until the predicate holds. */
  MigrationStatus awaitStatus(MigrationWorkflow workflow, Predicate<MigrationStatus> condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    MigrationStatus status = null;
    while (System.nanoTime() < deadline) {
      status = workflow.status();
      if (status != null && condition.test(status)) {
        return status;
      }
      env.sleep(Duration.ofMillis(200));
    }
    throw new AssertionError("status never matched; last: " + status);
  }

  /**
   * Waits, in real time, until the workflow has closed, and returns how it closed. Unlike the test
   * client's {@code getResult}, which lets workflow time skip ahead while it waits, this leaves the
   * other workflows' clocks alone: a migration waiting at a gate meanwhile is not run into its
   * timers or its execution timeout.
   */
  WorkflowExecutionStatus awaitClosed(String migrationId) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      WorkflowExecutionStatus status = env.getWorkflowServiceStubs().blockingStub()
          .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
              .setNamespace(env.getNamespace())
              .setExecution(WorkflowExecution.newBuilder().setWorkflowId(ZdmNames.workflowId(migrationId)))
              .build())
          .getWorkflowExecutionInfo().getStatus();
      if (status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        return status;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
    throw new AssertionError(migrationId + " did not close within 60 s");
  }

  @Override
  public void close() {
    env.close();
  }
}
