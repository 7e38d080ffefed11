package dev.zdm.planning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.analysis.SqlSplitter;
import dev.zdm.model.TableRef;
import dev.zdm.model.plan.ConstraintStep;
import dev.zdm.model.plan.DirectStep;
import dev.zdm.model.plan.DirectStep.Undo;
import dev.zdm.model.plan.Plan;
import dev.zdm.model.plan.PlanStep;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Per kind of direct statement: the undo the planner gives it, or none (irreversible). */
class DirectUndoTest {

  /** A database as the planner would see it at zdm start: only what a test puts in is known. */
  private static final class KnownState implements PriorState {
    final Map<String, Prior> defaults = new HashMap<>();
    final Map<String, Prior> comments = new HashMap<>();
    final Map<String, Boolean> exists = new HashMap<>();
    final Map<String, Boolean> nullable = new HashMap<>();

    @Override
    public Optional<Prior> columnDefault(TableRef table, String column) {
      return Optional.ofNullable(defaults.get(table.displayName() + "." + column));
    }

    @Override
    public Optional<Prior> comment(TableRef table, String column) {
      return Optional.ofNullable(comments.get(table.displayName() + (column == null ? "" : "." + column)));
    }

    @Override
    public Optional<Boolean> relationExists(TableRef relation) {
      return Optional.ofNullable(exists.get(relation.displayName()));
    }

    @Override
    public Optional<Boolean> columnExists(TableRef table, String column) {
      return Optional.ofNullable(exists.get(table.displayName() + "." + column));
    }

    @Override
    public Optional<Boolean> constraintExists(TableRef table, String name) {
      return Optional.ofNullable(exists.get(table.displayName() + "#" + name));
    }

    @Override
    public Optional<Boolean> columnNullable(TableRef table, String column) {
      return Optional.ofNullable(nullable.get(table.displayName() + "." + column));
    }
  }

  private static List<PlanStep> steps(String sql, PriorState prior) {
    Plan plan = new MigrationPlanner().plan("m1", new SqlSplitter().split("V1__m.sql", sql), null,
        true, prior);
    return plan.steps();
  }

  /** The undo of a file's only step. */
  private static Undo undo(String sql, PriorState prior) {
    List<PlanStep> steps = steps(sql, prior);
    assertThat(steps).hasSize(1);
    return ((DirectStep) steps.get(0)).undo();
  }

  private static Undo undo(String sql) {
    return undo(sql, PriorState.UNKNOWN);
  }

  @Test
  void aConcurrentIndexIsDroppedConcurrentlyOutsideATransaction() {
    assertThat(undo("CREATE INDEX CONCURRENTLY orders_note_idx ON shop.orders (note)"))
        .isEqualTo(new Undo("DROP INDEX CONCURRENTLY IF EXISTS \"shop\".\"orders_note_idx\"", false));
    assertThat(undo("CREATE UNIQUE INDEX CONCURRENTLY \"Odd\"\"Name\" ON orders (note)"))
        .isEqualTo(new Undo("DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"Odd\"\"Name\"", false));
  }

  @Test
  void anIndexOnATableCreatedInTheFileIsDroppedConcurrentlyToo() {
    List<PlanStep> steps = steps("CREATE TABLE fresh (id int);\nCREATE INDEX fresh_id ON fresh (id);",
        PriorState.UNKNOWN);
    assertThat(((DirectStep) steps.get(1)).undo())
        .isEqualTo(new Undo("DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"fresh_id\"", false));
  }

  @Test
  void anIndexWhoseNameOrPriorExistenceIsUnknownIsIrreversible() {
    assertThat(undo("CREATE INDEX CONCURRENTLY ON orders (note)"))
        .as("PostgreSQL picks the name").isNull();
    String conditional = "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_note_idx ON orders (note)";
    assertThat(undo(conditional)).as("it may have been there before").isNull();
    KnownState absent = new KnownState();
    absent.exists.put("orders_note_idx", false);
    assertThat(undo(conditional, absent)).isNotNull();
    KnownState present = new KnownState();
    present.exists.put("orders_note_idx", true);
    assertThat(undo(conditional, present)).isNull();
  }

  @Test
  void anAddedConstraintIsDroppedByName() {
    assertThat(undo("ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID"))
        .isEqualTo(new Undo(
            "ALTER TABLE \"public\".\"orders\" DROP CONSTRAINT IF EXISTS \"orders_total_positive\"", true));
    assertThat(undo("ALTER TABLE orders ADD CHECK (total > 0) NOT VALID"))
        .as("PostgreSQL picks the name").isNull();
    assertThat(undo("ALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE USING INDEX orders_code_idx"))
        .as("dropping it would drop an index the file did not create").isNull();
    KnownState present = new KnownState();
    present.exists.put("orders#orders_total_positive", true);
    assertThat(undo("ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID",
        present)).as("never drop what was there before").isNull();
  }

  @Test
  void anAddedColumnIsDroppedUnlessItWasThereBefore() {
    assertThat(undo("ALTER TABLE orders ADD COLUMN note text"))
        .isEqualTo(new Undo("ALTER TABLE \"public\".\"orders\" DROP COLUMN IF EXISTS \"note\"", true));
    assertThat(undo("ALTER TABLE orders ADD COLUMN IF NOT EXISTS note text")).isNull();
    KnownState state = new KnownState();
    state.exists.put("orders.note", true);
    assertThat(undo("ALTER TABLE orders ADD COLUMN note text", state)).isNull();
  }

  @Test
  void severalClausesAreUndoneInOneStatementInReverseOrder() {
    assertThat(undo("ALTER TABLE orders ADD COLUMN a int, ADD COLUMN b int,"
        + " ADD CONSTRAINT orders_b CHECK (b > 0) NOT VALID"))
        .isEqualTo(new Undo("ALTER TABLE \"public\".\"orders\" DROP CONSTRAINT IF EXISTS \"orders_b\","
            + " DROP COLUMN IF EXISTS \"b\", DROP COLUMN IF EXISTS \"a\"", true));
    assertThat(undo("ALTER TABLE orders ADD COLUMN a int, ALTER COLUMN b DROP NOT NULL"))
        .as("one irreversible clause makes the statement irreversible").isNull();
  }

  @Test
  void theColumnThePlannerAddsForAVolatileDefaultAndItsDefaultHaveUndos() {
    List<PlanStep> steps = steps("ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid()",
        PriorState.UNKNOWN);
    assertThat(((DirectStep) steps.get(0)).undo()).isEqualTo(
        new Undo("ALTER TABLE \"public\".\"orders\" DROP COLUMN IF EXISTS \"token\"", true));
    assertThat(((DirectStep) steps.get(1)).sql()).contains("SET DEFAULT gen_random_uuid()");
    assertThat(((DirectStep) steps.get(1)).undo()).isEqualTo(
        new Undo("ALTER TABLE \"public\".\"orders\" ALTER COLUMN \"token\" DROP DEFAULT", true));
  }

  @Test
  void aCreatedTableIsDroppedOnlyWhileEmptyUnderItsLock() {
    Undo undo = undo("CREATE TABLE shop.audit (id bigint PRIMARY KEY, note text)");
    assertThat(undo.transactional()).isTrue();
    assertThat(undo.sql())
        .startsWith("DO $zdm_undo$")
        .contains("IF to_regclass('\"shop\".\"audit\"') IS NULL THEN")
        .contains("LOCK TABLE \"shop\".\"audit\" IN ACCESS EXCLUSIVE MODE;")
        .contains("IF EXISTS (SELECT FROM \"shop\".\"audit\") THEN")
        .contains("RAISE EXCEPTION USING MESSAGE = 'zdm keeps table shop.audit: rows were written")
        .contains("DROP TABLE \"shop\".\"audit\";")
        .endsWith("$zdm_undo$");
    assertThat(undo("CREATE TABLE IF NOT EXISTS shop.audit (id bigint)")).isNull();
  }

  @Test
  void aDefaultIsRestoredOnlyWhenTheCatalogSaidWhatItWas() {
    String sql = "ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'new'";
    assertThat(undo(sql)).isNull();
    KnownState state = new KnownState();
    state.defaults.put("orders.status", new PriorState.Prior("'open'::text"));
    assertThat(undo(sql, state)).isEqualTo(new Undo(
        "ALTER TABLE \"public\".\"orders\" ALTER COLUMN \"status\" SET DEFAULT 'open'::text", true));
    state.defaults.put("orders.status", new PriorState.Prior(null));
    assertThat(undo(sql, state)).isEqualTo(new Undo(
        "ALTER TABLE \"public\".\"orders\" ALTER COLUMN \"status\" DROP DEFAULT", true));
    state.defaults.put("orders.status", new PriorState.Prior("'open'::text"));
    assertThat(undo("ALTER TABLE orders ALTER COLUMN status DROP DEFAULT", state)).isEqualTo(new Undo(
        "ALTER TABLE \"public\".\"orders\" ALTER COLUMN \"status\" SET DEFAULT 'open'::text", true));
  }

  @Test
  void aCommentIsRestoredOnlyWhenTheCatalogSaidWhatItWas() {
    assertThat(undo("COMMENT ON TABLE orders IS 'new'")).isNull();
    KnownState state = new KnownState();
    state.comments.put("orders", new PriorState.Prior("it's old"));
    state.comments.put("shop.orders.note", new PriorState.Prior(null));
    assertThat(undo("COMMENT ON TABLE orders IS 'new'", state))
        .isEqualTo(new Undo("COMMENT ON TABLE \"public\".\"orders\" IS 'it''s old'", true));
    assertThat(undo("COMMENT ON COLUMN shop.orders.note IS 'new'", state))
        .isEqualTo(new Undo("COMMENT ON COLUMN \"shop\".\"orders\".\"note\" IS NULL", true));
    assertThat(undo("COMMENT ON FUNCTION f() IS 'new'", state)).isNull();
  }

  @Test
  void dropsDataChangesAndUnknownStatementsAreIrreversible() {
    KnownState everything = new KnownState();
    for (String sql : List.of(
        "DROP INDEX CONCURRENTLY orders_note_idx",
        "ALTER TABLE orders ALTER COLUMN note DROP NOT NULL",
        "UPDATE orders SET note = 'x' WHERE id = 1",
        "INSERT INTO orders (id) VALUES (1)",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "ALTER TYPE mood ADD VALUE 'meh'",
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive",
        "DROP TABLE sessions",
        "DO $$ BEGIN ALTER TABLE orders ADD COLUMN maybe int; EXCEPTION WHEN duplicate_column THEN END $$",
        "CREATE TABLE orders_copy AS SELECT * FROM orders",
        "ALTER TABLE orders DROP COLUMN legacy")) {
      assertThat(steps(sql, everything)).as(sql).allSatisfy(step -> {
        if (step instanceof DirectStep direct) {
          assertThat(direct.undo()).as(sql).isNull();
        }
      });
    }
  }

  @Test
  void theStatementsAfterANotNullCheckIsValidatedCanRunTwice() {
    ConstraintStep step = (ConstraintStep) steps("ALTER TABLE orders ALTER COLUMN note SET NOT NULL",
        PriorState.UNKNOWN).get(0);
    assertThat(step.afterValidation()).containsExactly(
        "ALTER TABLE \"public\".\"orders\" ALTER COLUMN \"note\" SET NOT NULL",
        "ALTER TABLE \"public\".\"orders\" DROP CONSTRAINT IF EXISTS \"orders_note_not_null\"");
  }

  @Test
  void aNotNullStepIsUndoneOnlyAsFarAsTheColumnsPriorStateIsKnown() {
    String sql = "ALTER TABLE orders ALTER COLUMN note SET NOT NULL";
    KnownState state = new KnownState();
    state.nullable.put("orders.note", true);
    assertThat(((ConstraintStep) steps(sql, state).get(0)).undoAfterValidation()).containsExactly(
        "ALTER TABLE \"public\".\"orders\" ALTER COLUMN \"note\" DROP NOT NULL,"
            + " DROP CONSTRAINT IF EXISTS \"orders_note_not_null\"");

    state.nullable.put("orders.note", false);
    assertThat(((ConstraintStep) steps(sql, state).get(0)).undoAfterValidation()).containsExactly(
        "ALTER TABLE \"public\".\"orders\" DROP CONSTRAINT IF EXISTS \"orders_note_not_null\"");

    assertThat(((ConstraintStep) steps(sql, PriorState.UNKNOWN).get(0)).undoAfterValidation()).isEmpty();
  }
}
