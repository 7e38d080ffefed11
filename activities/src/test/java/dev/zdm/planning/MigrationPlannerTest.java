package dev.zdm.planning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zdm.analysis.SqlSplitter;
import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.model.Strategy;
import dev.zdm.model.TableRef;
import dev.zdm.model.plan.ConcurrentIndexStep;
import dev.zdm.model.plan.ConstraintStep;
import dev.zdm.model.plan.DirectStep;
import dev.zdm.model.plan.DualWriteStep;
import dev.zdm.model.plan.ExpandContractStep;
import dev.zdm.model.plan.Plan;
import dev.zdm.model.plan.ProgressiveDmlStep;
import org.junit.jupiter.api.Test;

class MigrationPlannerTest {
  private final MigrationPlanner planner = new MigrationPlanner();

  private Plan plan(String sql, Strategy strategy) {
    return planner.plan("m1", new SqlSplitter().split("V1__m.sql", sql), strategy);
  }

  @Test
  void explicitExpandContractKeepsOtherStatementsDirect() {
    Plan plan = plan("ALTER TABLE users DROP COLUMN legacy;\nCOMMENT ON TABLE users IS 'x';",
        Strategy.EXPAND_CONTRACT);
    assertThat(plan.steps()).containsExactly(
        new ExpandContractStep(TableRef.of("users"), "legacy", 1),
        new DirectStep(2, "COMMENT ON TABLE users IS 'x'", true));
  }

  @Test
  void automaticPlanGivesEachUnsafeStatementItsStrategyAndKeepsSafeOnesInOrder() {
    Plan plan = plan("""
        ALTER TABLE orders ADD COLUMN note text;
        CREATE INDEX orders_note_idx ON orders (note);
        ALTER TABLE orders RENAME COLUMN user_email TO customer_email;
        ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
        ALTER TABLE orders ALTER COLUMN note SET NOT NULL;
        -- @metadata {"batchSize": 500}
        UPDATE orders SET note = '' WHERE note IS NULL;
        ALTER TABLE orders DROP COLUMN legacy;
        """, null);
    assertThat(plan.steps()).hasSize(7);
    assertThat(plan.steps().get(0)).isInstanceOf(DirectStep.class);
    assertThat(plan.steps().get(1)).isInstanceOf(ConcurrentIndexStep.class);
    assertThat(((ConcurrentIndexStep) plan.steps().get(1)).createIndexSql())
        .startsWith("CREATE INDEX CONCURRENTLY \"orders_note_idx\" ON orders (note)");
    assertThat(plan.steps().get(2)).isInstanceOf(DualWriteStep.class);
    assertThat(((ConstraintStep) plan.steps().get(3)).kind()).isEqualTo(ConstraintStep.Kind.FOREIGN_KEY);
    assertThat(((ConstraintStep) plan.steps().get(4)).kind()).isEqualTo(ConstraintStep.Kind.NOT_NULL);
    assertThat(((ProgressiveDmlStep) plan.steps().get(5)).batchSize()).isEqualTo(500);
    assertThat(plan.steps().get(6)).isInstanceOf(ExpandContractStep.class);
  }

  @Test
  void refusesWhatItCannotMakeSafeAndSaysWhy() {
    assertThatThrownBy(() -> plan("TRUNCATE sessions;", null))
        .isInstanceOf(ZdmException.class)
        .satisfies(e -> assertThat(((ZdmException) e).code()).isEqualTo(ErrorCode.REFUSED))
        .hasMessageContaining("V1__m.sql:1: cannot make 'TRUNCATE sessions' safe");
    Plan forced = planner.plan("m1", new SqlSplitter().split("V1__m.sql", "TRUNCATE sessions;"),
        null, true);
    assertThat(forced.steps()).containsExactly(new DirectStep(1, "TRUNCATE sessions", true));
    assertThat(forced.warnings()).hasSize(1);
  }

  @Test
  void notNullColumnNeedsABackfillValue() {
    assertThatThrownBy(() -> plan("ALTER TABLE users ADD COLUMN status text NOT NULL;", null))
        .hasMessageContaining("@metadata {\"backfill\"");
    Plan plan = plan("-- @metadata {\"backfill\": \"'active'\"}\n"
        + "ALTER TABLE users ADD COLUMN status text NOT NULL;", null);
    assertThat(((DualWriteStep) plan.steps().get(0)).kind()).isEqualTo(DualWriteStep.Kind.ADD_NOT_NULL);
  }

  @Test
  void planRendersEveryStepWithGatesAndCompensationsAndRoundTripsAsJson() throws Exception {
    Plan plan = plan("ALTER TABLE orders RENAME COLUMN a TO b;\nALTER TABLE orders DROP COLUMN c;", null);
    PlanRenderer renderer = new PlanRenderer();
    assertThat(renderer.text(plan))
        .contains("waits for deployment: the version that reads b")
        .contains("waits for approval")
        .contains("waits for time: 30d after deprecation")
        .contains("undo: ALTER TABLE \"public\".\"orders\" DROP COLUMN \"b\"");
    assertThat(new ObjectMapper().readTree(renderer.json(plan)).get("steps")).hasSize(2);
    ObjectMapper json = new ObjectMapper();
    assertThat(json.readValue(json.writeValueAsString(plan), Plan.class)).isEqualTo(plan);
  }
}
