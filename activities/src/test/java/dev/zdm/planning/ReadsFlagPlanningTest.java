package dev.zdm.planning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.analysis.SqlSplitter;
import dev.zdm.error.ZdmException;
import dev.zdm.model.plan.DualWriteStep;
import dev.zdm.model.plan.Plan;
import org.junit.jupiter.api.Test;

/** {@code -- @metadata {"readsFlag": "f"}} gates the statement's dual-write on flag f. */
class ReadsFlagPlanningTest {
  private final MigrationPlanner planner = new MigrationPlanner();

  private Plan plan(String sql) {
    return planner.plan("m1", new SqlSplitter().split("V1__m.sql", sql), null);
  }

  @Test
  void aRenameAnnotatedWithReadsFlagWaitsForTheFlag() {
    Plan plan = plan("""
        -- @metadata {"readsFlag": "search_v2"}
        ALTER TABLE users RENAME COLUMN name TO full_name;
        """);

    assertThat(plan.steps()).singleElement().isInstanceOfSatisfying(DualWriteStep.class,
        step -> assertThat(step.readsFlag()).isEqualTo("search_v2"));
  }

  @Test
  void readsFlagOnAStatementThatIsNoDualWriteOrABadNameIsBadInput() {
    assertThatThrownBy(() -> plan("""
        -- @metadata {"readsFlag": "search_v2"}
        COMMENT ON TABLE users IS 'x';
        """)).isInstanceOf(ZdmException.class).hasMessageContaining("applies to a dual-write");
    assertThatThrownBy(() -> plan("""
        -- @metadata {"readsFlag": "no spaces"}
        ALTER TABLE users RENAME COLUMN name TO full_name;
        """)).isInstanceOf(ZdmException.class).hasMessageContaining("must be a flag name");
  }

  @Test
  void zdmStartReadsFlagGatesEveryDualWriteWithoutItsOwnAnnotation() {
    Plan plan = planner.withReadsFlag(plan("""
        ALTER TABLE users RENAME COLUMN name TO full_name;
        -- @metadata {"readsFlag": "own_flag"}
        ALTER TABLE orders RENAME COLUMN total TO amount;
        """), "search_v2");

    assertThat(plan.steps()).extracting(step -> ((DualWriteStep) step).readsFlag())
        .containsExactly("search_v2", "own_flag");
    assertThatThrownBy(() -> planner.withReadsFlag(plan("COMMENT ON TABLE users IS 'x';"), "search_v2"))
        .isInstanceOf(ZdmException.class).hasMessageContaining("no dual-write");
  }
}
