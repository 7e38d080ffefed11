package dev.zdm.planning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.analysis.SqlSplitter;
import dev.zdm.model.TableRef;
import dev.zdm.model.plan.ConcurrentIndexStep;
import dev.zdm.model.plan.ConstraintStep;
import dev.zdm.model.plan.PlanStep;
import dev.zdm.postgres.Identifiers;
import dev.zdm.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ADD PRIMARY KEY on a nullable column, planned with the catalog as at zdm start and its statements
 * run in the plan's order on PostgreSQL. PostgreSQL says at DEBUG1 when an ALTER TABLE scans the
 * table ("verifying table") and when a valid check spares SET NOT NULL its scan: with the plan's
 * validated check first, neither SET NOT NULL nor ADD CONSTRAINT ... USING INDEX scans under
 * ACCESS EXCLUSIVE; without it (the previous plan) USING INDEX does. A NULL row stops the plan at
 * VALIDATE, before the column, the index or the key changes.
 */
class PrimaryKeyOnNullableTest {
  private TestDatabase db;

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabase.create("pk_nullable");
    db.sql("CREATE TABLE items (id bigint, code text)",
        "INSERT INTO items SELECT g, 'c' || g FROM generate_series(1, 5000) g",
        "CREATE TABLE legacy (id bigint, code text)",
        "INSERT INTO legacy SELECT g, 'c' || g FROM generate_series(1, 5000) g");
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  private List<PlanStep> plan(String file) throws Exception {
    try (Connection connection = db.connection()) {
      return new MigrationPlanner().plan("m-pk", new SqlSplitter().split("V1__pk.sql", file), null, false,
          new CatalogPriorState(connection)).steps();
    }
  }

  /** The statements the workflow issues for each step, in order. */
  private static List<String> statements(List<PlanStep> steps) {
    List<String> sql = new ArrayList<>();
    for (PlanStep step : steps) {
      if (step instanceof ConstraintStep check) {
        String t = Identifiers.quote(check.table());
        String name = Identifiers.quote(check.constraintName());
        sql.add("ALTER TABLE " + t + " ADD CONSTRAINT " + name + " " + check.definition() + " NOT VALID");
        sql.add("ALTER TABLE " + t + " VALIDATE CONSTRAINT " + name);
        sql.addAll(check.afterValidation());
      } else if (step instanceof ConcurrentIndexStep index) {
        sql.add(index.createIndexSql());
        sql.add("ALTER TABLE " + Identifiers.quote(index.table()) + " ADD CONSTRAINT "
            + Identifiers.quote(index.constraintName()) + " " + index.constraintType() + " USING INDEX "
            + Identifiers.quote(index.indexName()));
      }
    }
    return sql;
  }

  /** Runs the statements with DEBUG1 notices on; returns the notices of each statement. */
  private List<String> run(List<String> sql) throws SQLException {
    List<String> notices = new ArrayList<>();
    try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
      statement.execute("SET client_min_messages = debug1");
      for (String each : sql) {
        statement.execute(each);
        StringBuilder said = new StringBuilder(each).append(" =>");
        for (SQLWarning warning = statement.getWarnings(); warning != null; warning = warning.getNextWarning()) {
          said.append(" [").append(warning.getMessage()).append("]");
        }
        statement.clearWarnings();
        notices.add(said.toString());
      }
    }
    return notices;
  }

  @Test
  void theKeyIsAttachedWithoutAScanUnderAccessExclusive() throws Exception {
    List<PlanStep> steps = plan("ALTER TABLE " + db.schema() + ".items ADD PRIMARY KEY (id);");
    assertThat(steps).hasSize(2);
    assertThat(((ConstraintStep) steps.get(0)).undoAfterValidation()).singleElement().asString()
        .contains("DROP NOT NULL");
    List<String> notices = run(statements(steps));
    String setNotNull = notices.stream().filter(n -> n.contains("SET NOT NULL =>")).findFirst().orElseThrow();
    assertThat(setNotNull).contains("sufficient to prove").doesNotContain("verifying table");
    String attach = notices.stream().filter(n -> n.contains("USING INDEX")).findFirst().orElseThrow();
    assertThat(attach).doesNotContain("verifying table");
    assertThat(db.value("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'items'::regclass AND contype = 'p'"))
        .isEqualTo("PRIMARY KEY (id)");
    assertThat(db.count("SELECT count(*) FROM pg_constraint WHERE conrelid = 'items'::regclass AND contype = 'c'")).isZero();
  }

  @Test
  void withoutTheValidatedCheckUsingIndexScansTheTable() throws Exception {
    // The previous plan, kept as the control that the notice shows a scan when there is one.
    TableRef legacy = new TableRef(db.schema(), "legacy");
    List<String> notices = run(List.of(
        "CREATE UNIQUE INDEX CONCURRENTLY legacy_pkey ON " + Identifiers.quote(legacy) + " (id)",
        "ALTER TABLE " + Identifiers.quote(legacy) + " ADD CONSTRAINT legacy_pkey PRIMARY KEY USING INDEX legacy_pkey"));
    assertThat(notices.get(1)).contains("verifying table");
  }

  @Test
  void aNullRowStopsThePlanAtValidateBeforeAnythingIrreversible() throws Exception {
    db.sql("UPDATE items SET id = NULL WHERE id = 42");
    List<String> sql = statements(plan("ALTER TABLE " + db.schema() + ".items ADD PRIMARY KEY (id);"));
    run(sql.subList(0, 1));
    assertThatThrownBy(() -> run(sql.subList(1, 2)))
        .hasMessageContainingAll("items_id_not_null", "is violated by some row");
    assertThat(db.value("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'id'"))
        .isEqualTo("f");
    assertThat(db.count("SELECT count(*) FROM pg_index WHERE indrelid = 'items'::regclass")).isZero();
    assertThat(db.count("SELECT count(*) FROM pg_constraint WHERE conrelid = 'items'::regclass AND contype = 'p'")).isZero();
  }
}
