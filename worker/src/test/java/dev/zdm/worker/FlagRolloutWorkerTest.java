package dev.zdm.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.migration.MigrationWorkflow;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationRequest;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.plan.FeatureFlagStep;
import dev.zdm.temporal.ZdmNames;
import dev.zdm.testing.TestDatabase;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A flag rollout with the real activities on PostgreSQL: the worker is shut down mid-soak and a
 * new one (no cached workflow state) finishes the rollout from the history, writing each change
 * once; a guard that returns no boolean stops the rollout before anything starts.
 */
class FlagRolloutWorkerTest {
  private TestDatabase db;
  private WorkflowTestEnvironment temporal;
  private WorkerFactory second;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create("flag_worker");
    temporal = new WorkflowTestEnvironment(db);
  }

  @AfterEach
  void tearDown() {
    if (second != null) {
      second.shutdownNow();
    }
    temporal.close();
    db.close();
  }

  private MigrationWorkflow start(String id, List<String> guards) {
    FeatureFlagStep rollout = new FeatureFlagStep("search_v2", List.of(10, 100), Duration.ofHours(1),
        guards, Duration.ofMinutes(5), List.of(), "alice");
    MigrationWorkflow workflow = temporal.client().newWorkflowStub(MigrationWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(ZdmNames.workflowId(id))
            .setTaskQueue(WorkflowTestEnvironment.TASK_QUEUE).build());
    WorkflowClient.start(workflow::run, MigrationRequest.flagRollout(id, "flag search_v2", "-- rollout",
        MigrationOptions.defaults(), rollout));
    return temporal.client().newWorkflowStub(MigrationWorkflow.class, ZdmNames.workflowId(id));
  }

  @Test
  void aNewWorkerFinishesTheRolloutAfterTheFirstIsKilledMidSoak() throws Exception {
    MigrationWorkflow workflow = start("flag-restart",
        List.of("SELECT count(*) = 0 FROM pg_stat_activity WHERE false"));
    temporal.awaitStatus(workflow, s -> "soaking".equals(s.phase()));
    assertThat(db.queryString("SELECT enabled || ' ' || rollout_percentage FROM"
        + " {schema}._migration_feature_flags WHERE flag_name = 'search_v2'")).isEqualTo("true 10");

    temporal.env.getWorkerFactory().shutdownNow();
    temporal.env.getWorkerFactory().awaitTermination(10, TimeUnit.SECONDS);
    second = WorkerFactory.newInstance(temporal.client());
    Registrations.registerAll(second.newWorker(WorkflowTestEnvironment.TASK_QUEUE,
        WorkerOptions.newBuilder().setStickyQueueScheduleToStartTimeout(Duration.ZERO).build()),
        db.target());
    second.start();

    MigrationResult result = WorkflowStub.fromTyped(workflow)
        .getResult(60, TimeUnit.SECONDS, MigrationResult.class);
    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(db.queryString("SELECT enabled || ' ' || rollout_percentage FROM"
        + " {schema}._migration_feature_flags WHERE flag_name = 'search_v2'")).isEqualTo("true 100");
    assertThat(db.queryString("SELECT string_agg(change_seq || ':' || to_percentage, ',' ORDER BY change_seq)"
        + " FROM {schema}._migration_flag_changes")).isEqualTo("0:0,1:10,2:100");
  }

  @Test
  void aGuardThatReturnsNoBooleanIsRefusedBeforeTheFlagIsTouched() {
    MigrationWorkflow workflow = start("flag-bad-guard", List.of("SELECT 1"));

    assertThatThrownBy(workflow::awaitPlan).rootCause()
        .isInstanceOfSatisfying(ApplicationFailure.class, refusal -> {
          assertThat(refusal.getOriginalMessage())
              .isEqualTo("guard `SELECT 1` must return a boolean, its column ?column? is int4");
          assertThat(refusal.getType()).as("the CLI's exit 2").isEqualTo(ZdmFailures.INVALID_MIGRATION);
        });
    assertThat(db.queryLong("SELECT count(*) FROM {schema}._migration_feature_flags")).isZero();
  }
}
