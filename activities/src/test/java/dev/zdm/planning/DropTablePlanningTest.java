package dev.zdm.planning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zdm.analysis.SqlSplitter;
import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.model.Strategy;
import dev.zdm.model.TableRef;
import dev.zdm.model.plan.DirectStep;
import dev.zdm.model.plan.DropTableStep;
import dev.zdm.model.plan.Plan;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DROP TABLE planned as an expand-contract, without a database. */
class DropTablePlanningTest {
  private static final long WEEK = Duration.ofDays(7).toSeconds();

  private final MigrationPlanner planner = new MigrationPlanner();

  private Plan plan(String sql) {
    return planner.plan("m1", new SqlSplitter().split("V1__drop.sql", sql), null);
  }

  @Test
  void aDropTableBecomesItsOwnStepKeptAWeekAfterTheMove() throws Exception {
    Plan plan = plan("DROP TABLE sessions;");

    assertThat(plan.steps()).containsExactly(new DropTableStep(TableRef.of("sessions"), false, WEEK, List.of(), 1));
    assertThat(plan.steps().get(0).strategy()).isEqualTo(Strategy.EXPAND_CONTRACT);
    ObjectMapper json = new ObjectMapper();
    assertThat(json.readValue(json.writeValueAsString(plan), Plan.class)).isEqualTo(plan);
  }

  @Test
  void severalTablesInOneStatementGetOneStepEachAndIfExistsIsKept() {
    Plan plan = plan("DROP TABLE IF EXISTS audit.old_events, sessions;");

    assertThat(plan.steps()).containsExactly(
        new DropTableStep(new TableRef("audit", "old_events"), true, WEEK, List.of(), 1),
        new DropTableStep(TableRef.of("sessions"), true, WEEK, List.of("audit.old_events"), 1));
  }

  @Test
  void theRetentionComesFromTheMetadata() {
    Plan plan = plan("-- @metadata {\"retention\": \"14d\"}\nDROP TABLE sessions;");

    assertThat(((DropTableStep) plan.steps().get(0)).retentionSeconds()).isEqualTo(Duration.ofDays(14).toSeconds());
    assertThatThrownBy(() -> plan("-- @metadata {\"retention\": \"two weeks\"}\nDROP TABLE sessions;"))
        .hasMessageContaining("'two weeks' is not a duration");
  }

  @Test
  void cascadeIsRefusedBecauseItWouldDropDependentsWithoutNamingThem() {
    assertThatThrownBy(() -> plan("DROP TABLE sessions CASCADE;"))
        .isInstanceOf(ZdmException.class)
        .satisfies(e -> assertThat(((ZdmException) e).code()).isEqualTo(ErrorCode.REFUSED))
        .hasMessageContaining("CASCADE would drop every view and foreign key");
  }

  @Test
  void theStepKnowsWhatTheFileDroppedBeforeIt() {
    Plan plan = plan("""
        DROP VIEW IF EXISTS active_sessions, "Report"."Weekly";
        ALTER TABLE orders DROP CONSTRAINT orders_session_fk;
        DROP TABLE sessions;
        """);

    DropTableStep drop = (DropTableStep) plan.steps().get(plan.steps().size() - 1);
    assertThat(drop.droppedFirst())
        .containsExactly("active_sessions", "Report.Weekly", "orders.orders_session_fk");
    assertThat(plan.steps()).first().isInstanceOf(DirectStep.class);
  }

  @Test
  void aTableThisFileCreatedIsDroppedAsAPlainStatement() {
    Plan plan = plan("CREATE TABLE scratch (id int);\nDROP TABLE scratch, sessions;");

    assertThat(plan.steps()).hasSize(3);
    assertThat(plan.steps().get(1)).isEqualTo(new DirectStep(2, "DROP TABLE \"public\".\"scratch\"", true));
    assertThat(plan.steps().get(2)).isInstanceOf(DropTableStep.class);
  }

  @Test
  void zdmPlanShowsTheDeprecationTheMoveAsideTheRetentionAndTheIrreversibleDrop() {
    Plan plan = plan("DROP VIEW v;\nDROP TABLE sessions;");

    String text = new PlanRenderer().text(plan);

    assertThat(text).contains("deprecate", "COMMENT ON TABLE", "wait for deployment", "move aside",
        "SET SCHEMA \"zdm_archive\"", "keep for the retention period", "time: 1w after the move",
        "except what this file drops before it: v", "DROP TABLE \"zdm_archive\".sessions_<hash",
        "Types the table used", PlanPhase.IRREVERSIBLE);
  }
}
