package dev.zdm.fakes;

import dev.zdm.model.plan.ExpandContractStep;
import dev.zdm.model.plan.BlueGreenStep;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.WaitingFor;
import dev.zdm.model.TableRef;
import dev.zdm.migration.MigrationOperations;
import dev.zdm.migration.MigrationWorkflow;
import dev.zdm.migration.MigrationWorkflowImpl;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationRequest;
import dev.zdm.model.MigrationStatus;
import dev.zdm.model.plan.Plan;
import dev.zdm.model.plan.PlanStep;
import dev.zdm.temporal.ZdmNames;
import dev.zdm.temporal.ZdmSearchAttributes;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Temporal's time-skipping test server with zdm's real workflows and {@link FakeActivities}: the
 * workflow logic under test, nothing else.
 */
public final class FakeTemporal implements AutoCloseable {
  public static final String TASK_QUEUE = "zdm-workflow-test";
  private static final Duration WAIT_LIMIT = Duration.ofSeconds(60);
  /** Heartbeats reach the server at once, so a cancellation reaches a fake activity at once. */
  private static final Duration HEARTBEAT_THROTTLE = Duration.ofMillis(100);

  /** No removal wait and no approval: a migration goes straight to its long steps. */
  public static final MigrationOptions STRAIGHT_THROUGH =
      new MigrationOptions(Duration.ZERO, null, null, false, false);

  public final TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
  public final ActivityScript script = new ActivityScript();
  public final FakeActivities activities = new FakeActivities(script);

  public FakeTemporal() {
    for (var key : ZdmSearchAttributes.ALL) {
      env.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    Worker worker = env.newWorker(TASK_QUEUE, WorkerOptions.newBuilder()
        .setStickyQueueScheduleToStartTimeout(Duration.ZERO)
        .setMaxHeartbeatThrottleInterval(HEARTBEAT_THROTTLE)
        .setDefaultHeartbeatThrottleInterval(HEARTBEAT_THROTTLE)
        .build());
    List<Class<?>> types = new ArrayList<>();
    types.add(MigrationWorkflowImpl.class);
    types.addAll(MigrationOperations.all().workflowImplementations());
    worker.registerWorkflowImplementationTypes(types.toArray(Class<?>[]::new));
    worker.registerActivitiesImplementations(activities.all().toArray());
    env.start();
  }

  public WorkflowClient client() {
    return env.getWorkflowClient();
  }

  /** Starts a migration whose plan (from the fake prepare activity) is {@code steps}. */
  public MigrationWorkflow start(String migrationId, MigrationOptions options, PlanStep... steps) {
    return start(new MigrationRequest(
        migrationId, migrationId + ".sql", "-- planned by the test", null, options), steps);
  }

  /** Starts {@code request} (e.g. with a low continue-as-new threshold) with {@code steps} as its plan. */
  public MigrationWorkflow start(MigrationRequest request, PlanStep... steps) {
    String migrationId = request.migrationId();
    activities.plan(migrationId, new Plan(migrationId, List.of(steps), List.of()));
    MigrationWorkflow workflow = client().newWorkflowStub(MigrationWorkflow.class,
        WorkflowOptions.newBuilder()
            .setTaskQueue(TASK_QUEUE)
            .setWorkflowId(ZdmNames.workflowId(migrationId))
            .build());
    WorkflowClient.start(workflow::run, request);
    return workflow;
  }

  public <W> W stub(Class<W> type, String workflowId) {
    return client().newWorkflowStub(type, workflowId);
  }

  public WorkflowStub untyped(String workflowId) {
    return client().newUntypedWorkflowStub(workflowId);
  }

  /** The chunk call of a one-step blue-green's copy pass. */
  public static final String BLUE_GREEN_COPY = "BackfillChunk blue-green-step-1-copy";

  /**
   * Starts a one-step blue-green of {@code table} whose copy runs batch by batch until a pause
   * reaches it; returns once the copy runs.
   */
  public MigrationWorkflow startBlueGreenInItsCopy(String migrationId, TableRef table)
      throws InterruptedException {
    activities.runBatches(BLUE_GREEN_COPY);
    MigrationWorkflow workflow = start(migrationId, STRAIGHT_THROUGH,
        new BlueGreenStep(table, List.of("ALTER TABLE " + table.name() + " ADD COLUMN x int"), 1));
    script.awaitCall(BLUE_GREEN_COPY);
    return workflow;
  }

  /** Starts a one-step expand-contract of {@code column} and passes its deployment gate. */
  public MigrationWorkflow startExpandContractPastItsGate(String migrationId, TableRef table, String column)
      throws InterruptedException {
    MigrationWorkflow workflow = start(migrationId, STRAIGHT_THROUGH, new ExpandContractStep(table, column, 1));
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT.equals(s.waitingFor()));
    workflow.deployed(new DeploymentSignal("v2", null));
    return workflow;
  }

  /** Polls the status query until it matches; fails after a minute with the last status. */
  public static MigrationStatus awaitStatus(MigrationWorkflow workflow, Predicate<MigrationStatus> condition)
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
      Thread.sleep(20);
    }
    throw new AssertionError("timed out; last status " + last);
  }

  /**
   * The workflow's result, waited for at most a minute; on timeout the failure lists the events of
   * every workflow in the test, which is what one needs to see why it did not end.
   */
  public <R> R resultOf(Object workflow, Class<R> type) {
    WorkflowStub stub = WorkflowStub.fromTyped(workflow);
    try {
      return stub.getResult(WAIT_LIMIT.toSeconds(), TimeUnit.SECONDS, type);
    } catch (TimeoutException e) {
      throw new AssertionError("no result within " + WAIT_LIMIT + "\n" + histories(), e);
    }
  }

  public String histories() {
    StringBuilder all = new StringBuilder();
    var executions = env.getWorkflowServiceStubs().blockingStub().listOpenWorkflowExecutions(
        ListOpenWorkflowExecutionsRequest.newBuilder().setNamespace(env.getNamespace()).build());
    for (var execution : executions.getExecutionsList()) {
      String id = execution.getExecution().getWorkflowId();
      all.append(id).append(": ");
      client().fetchHistory(id).getEvents().forEach(event -> {
        all.append(event.getEventType().name().replace("EVENT_TYPE_", "")).append(' ');
        if (event.hasWorkflowTaskFailedEventAttributes()) {
          var failure = event.getWorkflowTaskFailedEventAttributes().getFailure();
          all.append("(").append(failure.getMessage());
          for (var cause = failure; cause.hasCause(); cause = cause.getCause()) {
            all.append(" <- ").append(cause.getCause().getMessage())
                .append(" @ ").append(cause.getCause().getStackTrace().lines().limit(6).toList());
          }
          all.append(") ");
        }
      });
      all.append('\n');
    }
    return all.toString();
  }

  /**
   * Saves the history of every workflow this test ran to target/histories/operation-model, so the
   * branches these tests drive (rollback, cancel, failed undo, breaker, controls) can be kept as
   * the recorded histories a later release must replay (worker/src/test/resources/histories).
   */
  private void saveHistories() {
    try {
      Path directory = Path.of("target", "histories", "operation-model");
      Files.createDirectories(directory);
      var stub = env.getWorkflowServiceStubs().blockingStub();
      List<WorkflowExecutionInfo> executions = new ArrayList<>();
      executions.addAll(stub.listOpenWorkflowExecutions(ListOpenWorkflowExecutionsRequest.newBuilder()
          .setNamespace(env.getNamespace()).build()).getExecutionsList());
      executions.addAll(stub.listClosedWorkflowExecutions(ListClosedWorkflowExecutionsRequest.newBuilder()
          .setNamespace(env.getNamespace()).build()).getExecutionsList());
      for (WorkflowExecutionInfo execution : executions) {
        String workflowId = execution.getExecution().getWorkflowId();
        String runId = execution.getExecution().getRunId();
        Files.writeString(directory.resolve(workflowId + "-" + runId.substring(0, 8) + ".json"),
            client().fetchHistory(workflowId, runId).toJson(true));
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("histories not saved: " + e);
    }
  }

  @Override
  public void close() {
    saveHistories();
    env.close();
  }
}
