package dev.zdm.engine.migration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.analysis.SqlSplitter;
import dev.zdm.model.TableRef;
import dev.zdm.model.plan.Plan;
import dev.zdm.planning.MigrationPlanner;
import org.junit.jupiter.api.Test;

class PlanTablesTest {

  private static Plan plan(String sql) {
    return new MigrationPlanner().plan("m1", new SqlSplitter().split("V1__m.sql", sql), null);
  }

  @Test
  void directStepsNameTheTablesTheirSqlTouchesAndStrategyStepsTheirOwnEachOnce() {
    Plan plan = plan("""
        ALTER TABLE orders ADD COLUMN note text;
        CREATE INDEX orders_note ON app.orders (note);
        COMMENT ON TABLE invoices IS 'x';
        ALTER TABLE users DROP COLUMN legacy;
        ALTER TABLE orders ADD COLUMN other text;
        """);

    assertThat(new PlanTables().of(plan)).containsExactly(
        TableRef.of("orders"), new TableRef("app", "orders"), TableRef.of("invoices"), TableRef.of("users"));
  }
}
