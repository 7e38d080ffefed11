package dev.zdm.planning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.engine.activities.DdlActivitiesImpl;
import dev.zdm.activities.DdlStatement;
import dev.zdm.analysis.SqlSplitter;
import dev.zdm.model.plan.ConstraintStep;
import dev.zdm.model.plan.DirectStep;
import dev.zdm.model.plan.Plan;
import dev.zdm.model.plan.PlanStep;
import dev.zdm.postgres.Identifiers;
import dev.zdm.testing.TestDatabase;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The undos the planner writes, run for real: planned with the catalog as at zdm start, the file
 * applied, then every undo in reverse order (twice, as a retried rollback would), and the schema
 * is back to what it was.
 */
class DirectUndoOnPostgresTest {
  private TestDatabase db;
  private DdlActivitiesImpl ddl;
  private String s;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create("undo");
    s = Identifiers.quote(db.schema());
    db.execute("CREATE TABLE {schema}.items (id bigint PRIMARY KEY, name text DEFAULT 'x')");
    db.execute("COMMENT ON TABLE {schema}.items IS 'old comment'");
    db.execute("INSERT INTO {schema}.items SELECT n, 'n' || n FROM generate_series(1, 50) n");
    ddl = new DdlActivitiesImpl(db.target());
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  private Plan plan(String file) throws Exception {
    try (Connection connection = db.connection()) {
      return new MigrationPlanner().plan("m-undo", new SqlSplitter().split("V1__undo.sql", file),
          null, false, new CatalogPriorState(connection));
    }
  }

  private void run(String sql, boolean transactional) {
    ddl.runDdl(new DdlStatement("m-undo", "test", sql, transactional, Duration.ofSeconds(2),
        Duration.ofSeconds(30)));
  }

  /** Columns with types, defaults and NOT NULL; comments; indexes; constraints; tables. */
  private String schemaDescription() {
    return db.queryString("""
        SELECT string_agg(line, E'\\n' ORDER BY line) FROM (
          SELECT 'table ' || c.relname || ' ' || coalesce(obj_description(c.oid, 'pg_class'), '-') AS line
            FROM pg_class c WHERE c.relnamespace = '{schema}'::regnamespace AND c.relkind = 'r'
          UNION ALL
          SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                 || ' ' || a.attnotnull || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-')
                 || ' ' || coalesce(col_description(c.oid, a.attnum), '-')
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
           WHERE c.relnamespace = '{schema}'::regnamespace AND c.relkind = 'r'
             AND c.relname NOT LIKE '\\_migration%' AND a.attnum > 0 AND NOT a.attisdropped
          UNION ALL
          SELECT 'index ' || pg_get_indexdef(i.indexrelid) || ' ' || i.indisvalid
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           WHERE c.relnamespace = '{schema}'::regnamespace
          UNION ALL
          SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated
            FROM pg_constraint WHERE connamespace = '{schema}'::regnamespace
        ) description
        """);
  }

  @Test
  void undoingEveryDirectStepInReverseRestoresTheSchema() throws Exception {
    String before = schemaDescription();
    assertThat(before).contains("table items old comment").contains("column items.name text false 'x'::text -");
    Plan plan = plan("""
        ALTER TABLE %1$s.items ALTER COLUMN name SET DEFAULT 'unnamed';
        COMMENT ON TABLE %1$s.items IS 'new comment';
        COMMENT ON COLUMN %1$s.items.name IS 'the name';
        ALTER TABLE %1$s.items ADD COLUMN note text, ADD COLUMN kind int;
        CREATE INDEX CONCURRENTLY items_note ON %1$s.items (note);
        ALTER TABLE %1$s.items ADD CONSTRAINT items_id_positive CHECK (id > 0) NOT VALID;
        CREATE TABLE %1$s.audit (id bigint PRIMARY KEY, what text);
        CREATE INDEX audit_what ON %1$s.audit (what);
        """.formatted(s));
    List<DirectStep> done = new ArrayList<>();
    for (PlanStep step : plan.steps()) {
      DirectStep direct = (DirectStep) step;
      assertThat(direct.undo()).as(direct.sql()).isNotNull();
      run(direct.sql(), direct.transactional());
      done.add(0, direct);
    }
    assertThat(schemaDescription()).isNotEqualTo(before);
    for (DirectStep step : done) {
      run(step.undo().sql(), step.undo().transactional());
      run(step.undo().sql(), step.undo().transactional());
    }
    assertThat(schemaDescription()).isEqualTo(before);
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.items")).isEqualTo(50);
  }

  @Test
  void whatTheCatalogShowsBeforeTheMigrationIsNeverDroppedByAnUndo() throws Exception {
    Plan plan = plan("""
        ALTER TABLE %1$s.items ADD COLUMN IF NOT EXISTS name text;
        ALTER TABLE %1$s.items ADD COLUMN IF NOT EXISTS fresh text;
        CREATE TABLE IF NOT EXISTS %1$s.items (id bigint);
        CREATE TABLE IF NOT EXISTS %1$s.audit (id bigint);
        CREATE INDEX CONCURRENTLY IF NOT EXISTS items_pkey ON %1$s.items (id);
        """.formatted(s));
    assertThat(plan.steps()).extracting(step -> ((DirectStep) step).reversible())
        .containsExactly(false, true, false, true, false);
  }

  @Test
  void aCreatedTableWithRowsIsKeptAndTheUndoSaysWhy() throws Exception {
    DirectStep create = (DirectStep) plan(
        "CREATE TABLE %s.audit (id bigint PRIMARY KEY, what text);".formatted(s)).steps().get(0);
    run(create.sql(), create.transactional());
    db.execute("INSERT INTO {schema}.audit VALUES (1, 'written by the application')");
    assertThatThrownBy(() -> run(create.undo().sql(), create.undo().transactional()))
        .isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
          assertThat(failure.isNonRetryable()).isTrue();
          assertThat(failure.getOriginalMessage()).contains("m-undo")
              .contains("zdm keeps table " + db.schema() + ".audit: rows were written to it");
        });
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.audit")).isEqualTo(1);
    db.execute("DELETE FROM {schema}.audit");
    run(create.undo().sql(), create.undo().transactional());
    assertThat(db.queryString("SELECT to_regclass('{schema}.audit')::text")).isNull();
  }

  @Test
  void aNotNullStepIsUndoneToTheColumnsPriorStateTwice() throws Exception {
    db.execute("ALTER TABLE {schema}.items ADD COLUMN code text NOT NULL DEFAULT 'c'");
    String before = schemaDescription();
    Plan plan = plan("""
        ALTER TABLE %1$s.items ALTER COLUMN name SET NOT NULL;
        ALTER TABLE %1$s.items ALTER COLUMN code SET NOT NULL;
        """.formatted(s));
    List<ConstraintStep> done = new ArrayList<>();
    for (PlanStep planned : plan.steps()) {
      ConstraintStep step = (ConstraintStep) planned;
      assertThat(step.undoAfterValidation()).as(step.describe()).isNotEmpty();
      // What the progressive child and then the parent run for the step.
      run("ALTER TABLE " + Identifiers.quote(step.table()) + " ADD CONSTRAINT "
          + Identifiers.quote(step.constraintName()) + " " + step.definition() + " NOT VALID", true);
      run("ALTER TABLE " + Identifiers.quote(step.table()) + " VALIDATE CONSTRAINT "
          + Identifiers.quote(step.constraintName()), true);
      step.afterValidation().forEach(sql -> run(sql, true));
      done.add(0, step);
    }
    assertThat(schemaDescription()).contains("column items.name text true");
    for (ConstraintStep step : done) {
      step.undoAfterValidation().forEach(sql -> run(sql, true));
      step.undoAfterValidation().forEach(sql -> run(sql, true));
    }
    // name is nullable again; code, NOT NULL before the file, stays NOT NULL.
    assertThat(schemaDescription()).isEqualTo(before).contains("column items.code text true");
  }
}
