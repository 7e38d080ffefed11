package dev.zdm.planning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.analysis.SqlSplitter;
import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.TableRef;
import dev.zdm.model.plan.ConcurrentIndexStep;
import dev.zdm.model.plan.ConstraintStep;
import dev.zdm.model.plan.DirectStep;
import dev.zdm.model.plan.DualWriteStep;
import dev.zdm.model.plan.Plan;
import dev.zdm.model.plan.ProgressiveDmlStep;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The derived-column pattern becomes one derived dual-write; what is not a derivation is refused;
 * a PRIMARY KEY on possibly nullable columns goes NOT NULL through validated checks first.
 */
class DerivedColumnPlanningTest {
  private static final TableRef ORDERS = TableRef.of("orders");

  private static Plan plan(String sql) {
    return plan(sql, PriorState.UNKNOWN);
  }

  private static Plan plan(String sql, PriorState prior) {
    return new MigrationPlanner().plan("m1", new SqlSplitter().split("V1__m.sql", sql), null, false, prior);
  }

  @Test
  void theIssueFileIsOneDerivedColumnStepAndZdmPlanShowsItsPhasesWithoutGates() {
    Plan plan = plan("""
        ALTER TABLE orders ADD COLUMN total_cents bigint;
        UPDATE orders SET total_cents = quantity::bigint * unit_price;
        ALTER TABLE orders ALTER COLUMN total_cents SET NOT NULL;
        """);
    assertThat(plan.steps()).containsExactly(new DualWriteStep(ORDERS, null, "total_cents", "bigint",
        "quantity::bigint * unit_price", null, DualWriteStep.Kind.DERIVED, 1));
    List<PlanPhase> phases = StepPlannings.all().phases(plan.steps().get(0), MigrationOptions.defaults());
    assertThat(phases).extracting(PlanPhase::name).containsExactly("add column", "derivation trigger",
        "backfill", "verify", "add NOT VALID", "validate", "set not null", "keep trigger");
    assertThat(phases).extracting(PlanPhase::gate).containsOnlyNulls();
    assertThat(String.join("\n", phases.get(2).sql()))
        .contains("\"total_cents\" IS DISTINCT FROM (quantity::bigint * unit_price)");
    assertThat(new PlanRenderer().text(plan)).contains("derivation trigger", "keep trigger");
  }

  @Test
  void otherStatementsBetweenKeepTheirPlaceAndAnIsNullWhereIsStillAFullDerivation() {
    Plan plan = plan("""
        ALTER TABLE orders ADD COLUMN total_cents bigint;
        COMMENT ON TABLE orders IS 'x';
        UPDATE orders SET total_cents = orders.quantity * orders.unit_price WHERE total_cents IS NULL;
        ALTER TABLE orders ALTER COLUMN total_cents SET NOT NULL;
        """);
    assertThat(plan.steps()).hasSize(2);
    assertThat(((DualWriteStep) plan.steps().get(0)).kind()).isEqualTo(DualWriteStep.Kind.DERIVED);
    assertThat(plan.steps().get(1)).isInstanceOf(DirectStep.class);
  }

  @Test
  void withoutTheSetNotNullTheUpdateStaysABatchedUpdate() {
    Plan plan = plan("""
        ALTER TABLE orders ADD COLUMN total_cents bigint;
        UPDATE orders SET total_cents = quantity * unit_price;
        """);
    assertThat(plan.steps().get(0)).isInstanceOf(DirectStep.class);
    assertThat(plan.steps()).last().isInstanceOf(ProgressiveDmlStep.class);
  }

  @Test
  void aPartialWhereIsRefusedNamingTheColumnAndWhatToDo() {
    assertRefused("""
        ALTER TABLE orders ADD COLUMN total_cents bigint;
        UPDATE orders SET total_cents = quantity * unit_price WHERE quantity > 0;
        ALTER TABLE orders ALTER COLUMN total_cents SET NOT NULL;
        """, "fills total_cents only WHERE quantity > 0", "CASE WHEN");
  }

  @Test
  void aVolatileExpressionIsRefused() {
    assertRefused("""
        ALTER TABLE orders ADD COLUMN stamped_at timestamptz;
        UPDATE orders SET stamped_at = now();
        ALTER TABLE orders ALTER COLUMN stamped_at SET NOT NULL;
        """, "(now)", "computed from the row alone");
  }

  @Test
  void anExpressionReadingAnotherTableIsRefused() {
    assertRefused("""
        ALTER TABLE orders ADD COLUMN customer_name text;
        UPDATE orders SET customer_name = (SELECT name FROM customers c WHERE c.id = customer_id);
        ALTER TABLE orders ALTER COLUMN customer_name SET NOT NULL;
        """, "reads other rows or tables");
  }

  @Test
  void twoUpdatesFillingTheColumnAreRefusedWithTheCaseToWrite() {
    assertRefused("""
        ALTER TABLE orders ADD COLUMN total_cents bigint;
        UPDATE orders SET total_cents = quantity * unit_price WHERE quantity IS NOT NULL;
        UPDATE orders SET total_cents = 0 WHERE quantity IS NULL;
        ALTER TABLE orders ALTER COLUMN total_cents SET NOT NULL;
        """, "several UPDATEs fill total_cents");
  }

  private static void assertRefused(String sql, String... why) {
    assertThatThrownBy(() -> plan(sql))
        .isInstanceOfSatisfying(ZdmException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.REFUSED))
        .hasMessageContainingAll(why);
  }

  @Test
  void primaryKeyOnColumnsOfUnknownNullabilityGoesNotNullThroughValidatedChecksFirst() {
    Plan plan = plan("ALTER TABLE orders ADD PRIMARY KEY (tenant_id, \"Code\");");
    assertThat(plan.steps()).hasSize(3);
    ConstraintStep tenant = (ConstraintStep) plan.steps().get(0);
    ConstraintStep code = (ConstraintStep) plan.steps().get(1);
    assertThat(tenant.kind()).isEqualTo(ConstraintStep.Kind.NOT_NULL);
    assertThat(tenant.column()).isEqualTo("tenant_id");
    assertThat(code.column()).isEqualTo("Code");
    ConcurrentIndexStep index = (ConcurrentIndexStep) plan.steps().get(2);
    assertThat(index.constraintType()).isEqualTo("PRIMARY KEY");
    List<String> names = StepPlannings.all().phases(tenant, MigrationOptions.defaults()).stream()
        .map(PlanPhase::name).toList();
    assertThat(names).containsExactly("add NOT VALID", "validate", "set not null");
  }

  @Test
  void primaryKeyOnKnownNotNullColumnsSkipsTheChecksAndKnownNullableOnesGetAnUndo() {
    PriorState prior = new PriorStateStub() {
      @Override
      public Optional<Boolean> columnNullable(TableRef table, String column) {
        return Optional.of(column.equals("b"));
      }
    };
    Plan plan = plan("ALTER TABLE orders ADD CONSTRAINT orders_pk PRIMARY KEY (a, b);", prior);
    assertThat(plan.steps()).hasSize(2);
    ConstraintStep b = (ConstraintStep) plan.steps().get(0);
    assertThat(b.column()).isEqualTo("b");
    assertThat(b.undoAfterValidation()).singleElement().asString().contains("DROP NOT NULL");
    assertThat(plan.steps().get(1)).isInstanceOf(ConcurrentIndexStep.class);
  }

  @Test
  void uniqueNeedsNoNotNull() {
    assertThat(plan("ALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE (code);").steps())
        .singleElement().isInstanceOf(ConcurrentIndexStep.class);
  }

  /** Nothing known but what a test overrides. */
  private static class PriorStateStub implements PriorState {
    @Override
    public Optional<Prior> columnDefault(TableRef table, String column) {
      return Optional.empty();
    }

    @Override
    public Optional<Prior> comment(TableRef table, String column) {
      return Optional.empty();
    }

    @Override
    public Optional<Boolean> relationExists(TableRef relation) {
      return Optional.empty();
    }

    @Override
    public Optional<Boolean> columnExists(TableRef table, String column) {
      return Optional.empty();
    }

    @Override
    public Optional<Boolean> constraintExists(TableRef table, String name) {
      return Optional.empty();
    }

    @Override
    public Optional<Boolean> columnNullable(TableRef table, String column) {
      return Optional.empty();
    }
  }
}
