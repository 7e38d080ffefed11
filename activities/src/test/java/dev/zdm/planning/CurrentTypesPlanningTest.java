package dev.zdm.planning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.analysis.CatalogColumnTypes;
import dev.zdm.analysis.SqlSplitter;
import dev.zdm.model.plan.DirectStep;
import dev.zdm.model.plan.DualWriteStep;
import dev.zdm.model.plan.Plan;
import dev.zdm.model.plan.PlanStep;
import dev.zdm.postgres.Identifiers;
import dev.zdm.testing.TestDatabase;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With the database, the planner judges a type change by the column's current type: what
 * PostgreSQL does in the catalog alone is a direct step, what rewrites the table stays a
 * dual-write. Without it, every type change is a dual-write.
 */
class CurrentTypesPlanningTest {
  private TestDatabase db;
  private String s;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create("current_types");
    s = Identifiers.quote(db.schema());
    db.execute("CREATE TABLE {schema}.users (id int PRIMARY KEY, username varchar(50), bio varchar(10),"
        + " balance numeric(10, 2), age integer)");
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  private List<Class<?>> stepKinds(String sql, boolean withDatabase) throws Exception {
    var script = new SqlSplitter().split("V1__types.sql", sql);
    try (Connection connection = db.connection()) {
      Plan plan = withDatabase
          ? new MigrationPlanner().plan("m-types", script, null, false, new CatalogPriorState(connection),
              new CatalogColumnTypes(connection))
          : new MigrationPlanner().plan("m-types", script, null);
      return plan.steps().stream().<Class<?>>map(PlanStep::getClass).toList();
    }
  }

  @Test
  void binaryCoercibleChangesAreDirectStepsWithTheCatalog() throws Exception {
    assertThat(stepKinds("ALTER TABLE " + s + ".users ALTER COLUMN username TYPE varchar(100);", true))
        .containsExactly(DirectStep.class);
    assertThat(stepKinds("ALTER TABLE " + s + ".users ALTER COLUMN bio TYPE text;", true))
        .containsExactly(DirectStep.class);
    assertThat(stepKinds("ALTER TABLE " + s + ".users ALTER COLUMN balance TYPE numeric(14, 2);", true))
        .containsExactly(DirectStep.class);
  }

  @Test
  void rewritingChangesStayDualWritesAndWithoutTheCatalogEveryChangeIsOne() throws Exception {
    assertThat(stepKinds("ALTER TABLE " + s + ".users ALTER COLUMN age TYPE bigint;", true))
        .containsExactly(DualWriteStep.class);
    assertThat(stepKinds("ALTER TABLE " + s + ".users ALTER COLUMN username TYPE varchar(20);", true))
        .containsExactly(DualWriteStep.class);
    assertThat(stepKinds("ALTER TABLE " + s + ".users ALTER COLUMN bio TYPE text;", false))
        .containsExactly(DualWriteStep.class);
  }
}
