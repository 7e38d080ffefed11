package dev.zdm.engine.activities;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.activities.DdlActivities;
import dev.zdm.activities.DdlResult;
import dev.zdm.activities.DdlStatement;
import dev.zdm.testing.TemporalTestEnv;
import dev.zdm.testing.TestDatabase;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Through Temporal: the DDL activity commits, its completion is lost (simulated by a failure
 * raised after the real work), and Temporal's retry, attempt 2, meets the column it added.
 */
class LostCompletionTest {
  private TestDatabase db;

  /** Runs one statement the way the parent workflow does, with retries. */
  @WorkflowInterface
  public interface RunStatement {
    @WorkflowMethod
    DdlResult run(DdlStatement statement);
  }

  public static class RunStatementImpl implements RunStatement {
    private final DdlActivities ddl = Workflow.newActivityStub(DdlActivities.class,
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofSeconds(30))
            .setRetryOptions(RetryOptions.newBuilder()
                .setInitialInterval(Duration.ofMillis(100))
                .setMaximumAttempts(3)
                .build())
            .build());

    @Override
    public DdlResult run(DdlStatement statement) {
      return ddl.runDdl(statement);
    }
  }

  /** The real DDL activity whose first completion never reaches the server. */
  static final class LosesFirstCompletion extends DdlActivitiesImpl {
    LosesFirstCompletion(TestDatabase db) {
      super(db.target());
    }

    @Override
    public DdlResult runDdl(DdlStatement statement) {
      DdlResult result = super.runDdl(statement);
      if (Activity.getExecutionContext().getInfo().getAttempt() == 1) {
        throw ApplicationFailure.newFailure("the worker died before reporting", "LostCompletion");
      }
      return result;
    }
  }

  @BeforeEach
  void setUp() {
    db = TestDatabase.create("lost");
    db.execute("CREATE TABLE {schema}.items (id bigint PRIMARY KEY)");
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void theRetryAfterALostCompletionSucceedsOnItsOwnWork() {
    try (TemporalTestEnv env = new TemporalTestEnv(
        new Class<?>[] {RunStatementImpl.class}, new LosesFirstCompletion(db))) {
      DdlStatement statement = new DdlStatement("m-lost", "step 1: add note",
          "ALTER TABLE \"" + db.schema() + "\".items ADD COLUMN note text", true,
          Duration.ofMillis(200), Duration.ofSeconds(10));
      DdlResult result = env.newWorkflow(RunStatement.class, "zdm-m-lost").run(statement);
      assertThat(result.attempt()).isEqualTo(2);
    }
    assertThat(db.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_schema = '"
        + db.schema() + "' AND table_name = 'items' AND column_name = 'note'")).isEqualTo(1);
  }
}
