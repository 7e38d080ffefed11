package dev.zdm.planning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.analysis.SqlSplitter;
import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.model.plan.Plan;
import dev.zdm.model.plan.ProgressiveDmlStep;
import org.junit.jupiter.api.Test;

/**
 * A batched UPDATE is redone batch by batch, so it needs a condition that is false for the rows it
 * has done: a SET list whose values change per batch, or that reads the columns it sets, has none
 * zdm can derive, and the file must give one.
 */
class BatchedUpdatePendingTest {
  private final MigrationPlanner planner = new MigrationPlanner();

  private Plan plan(String sql) {
    return planner.plan("m1", new SqlSplitter().split("V1__m.sql", sql), null);
  }

  private static void assertRefused(ThrowingRunnable planning, String... reason) {
    assertThatThrownBy(planning::run)
        .isInstanceOfSatisfying(ZdmException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.REFUSED);
          assertThat(e.getMessage()).contains(reason).contains("@metadata {\"pending\"");
        });
  }

  interface ThrowingRunnable {
    void run();
  }

  @Test
  void aVolatileValueIsRefusedBecauseTheUpdateWouldNeverBeDone() {
    assertRefused(() -> plan("UPDATE orders SET updated_at = now() WHERE updated_at IS NULL;"),
        "updated_at = now()", "another value in every batch (now)");
    assertRefused(() -> plan("UPDATE orders SET token = gen_random_uuid(), note = 'x';"),
        "(gen_random_uuid)");
    assertRefused(() -> plan("UPDATE orders SET seen = CURRENT_TIMESTAMP;"), "(CURRENT_TIMESTAMP)");
  }

  @Test
  void anAssignmentReadingAnotherSetColumnIsRefusedBecauseRedoingItCorruptsRows() {
    assertRefused(() -> plan("UPDATE orders SET b = a + 1, a = 0;"),
        "b = a + 1 reads a, which the same UPDATE sets");
    assertRefused(() -> plan("UPDATE orders SET a = 0, b = a + 1;"), "reads a, which the same UPDATE sets");
  }

  @Test
  void anAssignmentReadingItsOwnColumnIsRefused() {
    assertRefused(() -> plan("UPDATE orders SET n = n + 1;"), "n = n + 1 reads n, its own column");
  }

  @Test
  void anExplicitPendingConditionIsTakenAsTheFileGivesIt() {
    Plan plan = plan("""
        -- @metadata {"pending": "updated_at IS NULL"}
        UPDATE orders SET updated_at = now() WHERE updated_at IS NULL;
        """);
    ProgressiveDmlStep step = (ProgressiveDmlStep) plan.steps().get(0);
    assertThat(step.pending()).isEqualTo("updated_at IS NULL");
    assertThat(new PlanRenderer().text(plan)).contains("AND (updated_at IS NULL)");
  }

  @Test
  void aRepeatableSetListGetsItsDerivedPendingCondition() {
    ProgressiveDmlStep step = (ProgressiveDmlStep) plan(
        "UPDATE orders SET total = quantity * price, note = 'x' WHERE id > 10;").steps().get(0);
    assertThat(step.pending()).isEqualTo(
        "(id > 10) AND (\"total\" IS DISTINCT FROM (quantity * price) OR \"note\" IS DISTINCT FROM ('x'))");
  }
}
