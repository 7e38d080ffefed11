package dev.zdm.engine.progressive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.model.MigrationOptions;
import dev.zdm.model.TableRef;
import dev.zdm.progressive.ProgressiveActivities;
import dev.zdm.progressive.ProgressiveChange.IndexBuild;
import dev.zdm.progressive.ProgressiveRequest;
import dev.zdm.testing.BackendSampler;
import dev.zdm.testing.TemporalTestEnv;
import dev.zdm.testing.TestDatabase;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.common.RetryOptions;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The probe's scenario through a Temporal server (in memory, real time): an index build held
 * behind an older transaction for three heartbeat timeouts is neither timed out nor retried,
 * never runs twice, never meets a DROP INDEX, and ends VALID; cancelling the workflow cancels it.
 */
class IndexBuildWorkflowTest {
  static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(2);
  static final Duration HELD = HEARTBEAT_TIMEOUT.multipliedBy(3);

  /** Builds one index as an activity with a 2 s heartbeat timeout, waiting for its cancellation to complete. */
  @WorkflowInterface
  public interface IndexBuildTestWorkflow {
    @WorkflowMethod
    String build(ProgressiveRequest request);
  }

  public static class IndexBuildTestWorkflowImpl implements IndexBuildTestWorkflow {
    private final ProgressiveActivities activities = Workflow.newActivityStub(ProgressiveActivities.class,
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(2))
            .setHeartbeatTimeout(HEARTBEAT_TIMEOUT)
            .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
            .setRetryOptions(RetryOptions.newBuilder().setInitialInterval(Duration.ofMillis(200))
                .setMaximumAttempts(10).build())
            .build());

    @Override
    public String build(ProgressiveRequest request) {
      activities.buildIndex(request, ((IndexBuild) request.change()).name(), null);
      return "built";
    }
  }

  private TestDatabase db;
  private TemporalTestEnv temporal;

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabase.create("index_build_wf");
    db.sql("CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL)",
        "INSERT INTO items SELECT g, 'n' || g FROM generate_series(1, 20000) g",
        "CREATE TABLE other (id int)");
    temporal = new TemporalTestEnv(TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build(),
        new Class<?>[] {IndexBuildTestWorkflowImpl.class}, new ProgressiveActivitiesImpl(db.target()));
  }

  @AfterEach
  void tearDown() {
    temporal.close();
    db.close();
  }

  private ProgressiveRequest request() {
    return new ProgressiveRequest("m-wf-index", new TableRef(db.schema(), "items"),
        new IndexBuild("items_name", "(name)", false, null, null, null, null),
        null, MigrationOptions.defaults(), null);
  }

  /** A transaction with a snapshot older than any build started now: CONCURRENTLY waits for it. */
  private Connection oldTransaction() throws SQLException {
    return db.oldTransaction("other");
  }

  private long runningCreates() {
    return db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query ILIKE 'CREATE %INDEX%'"
        + " AND position('" + db.schema() + "' IN query) > 0");
  }

  private boolean valid() {
    return db.queryLong("SELECT count(*) FROM pg_index WHERE indexrelid = to_regclass('{schema}.items_name') AND indisvalid") == 1;
  }

  private List<HistoryEvent> history(String workflowId) {
    return temporal.client().fetchHistory(workflowId).getHistory().getEventsList();
  }

  @Test
  void aBuildHeldForThreeHeartbeatTimeoutsRunsOnceAndEndsValid() throws Exception {
    IndexBuildTestWorkflow workflow = temporal.newWorkflow(IndexBuildTestWorkflow.class, "zdm-held-build");
    try (BackendSampler sampler = new BackendSampler(db); Connection holder = oldTransaction()) {
      CompletableFuture<String> result = WorkflowClient.execute(workflow::build, request());
      Thread.sleep(HELD.toMillis());
      assertThat(result).as("the build waits for the older transaction").isNotDone();
      assertThat(runningCreates()).isEqualTo(1);
      holder.commit();
      assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo("built");
      assertThat(sampler.maxConcurrentCreates()).as("one CREATE INDEX at any time").isEqualTo(1);
      assertThat(sampler.dropSightings()).as("no DROP INDEX while it ran").isZero();
    }
    assertThat(valid()).isTrue();
    List<HistoryEvent> events = history("zdm-held-build");
    assertThat(events).noneMatch(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT);
    assertThat(events).filteredOn(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)
        .singleElement()
        .satisfies(e -> assertThat(e.getActivityTaskStartedEventAttributes().getAttempt())
            .as("never timed out, never retried").isEqualTo(1));
  }

  @Test
  void cancellingTheWorkflowCancelsTheBuildsBackend() throws Exception {
    IndexBuildTestWorkflow workflow = temporal.newWorkflow(IndexBuildTestWorkflow.class, "zdm-cancelled-build");
    try (Connection holder = oldTransaction()) {
      CompletableFuture<String> result = WorkflowClient.execute(workflow::build, request());
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (runningCreates() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(runningCreates()).isEqualTo(1);
      WorkflowStub.fromTyped(workflow).cancel();
      // The older transaction is still open: the build can only be gone because it was cancelled.
      long gone = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (runningCreates() > 0 && System.nanoTime() < gone) {
        Thread.sleep(20);
      }
      assertThat(runningCreates()).as("the build's backend was cancelled").isZero();
      assertThatThrownBy(() -> result.get(30, TimeUnit.SECONDS)).hasRootCauseInstanceOf(CanceledFailure.class);
      assertThat(valid()).isFalse();
      holder.rollback();
    }
    List<HistoryEvent> events = history("zdm-cancelled-build");
    assertThat(events).as("the activity reported its cancellation")
        .anyMatch(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED);
    assertThat(events).as("never success")
        .noneMatch(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
  }
}
