package dev.zdm.planning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zdm.analysis.SqlSplitter;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.TableRef;
import dev.zdm.model.plan.BlueGreenStep;
import dev.zdm.model.plan.ConcurrentIndexStep;
import dev.zdm.model.plan.ConstraintStep;
import dev.zdm.model.plan.DirectStep;
import dev.zdm.model.plan.DropTableStep;
import dev.zdm.model.plan.DualWriteStep;
import dev.zdm.model.plan.FeatureFlagStep;
import dev.zdm.model.plan.ExpandContractStep;
import dev.zdm.model.plan.Plan;
import dev.zdm.model.plan.PlanStep;
import dev.zdm.model.plan.ProgressiveDmlStep;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** zdm plan shows each direct step's undo, or says it is irreversible; every step kind renders. */
class PlanRendererTest {
  private static final TableRef ORDERS = TableRef.of("orders");

  private static Plan plan(String sql) {
    return new MigrationPlanner().plan("m1", new SqlSplitter().split("V1__m.sql", sql), null);
  }

  @Test
  void textShowsTheUndoOfEachDirectStepOrThatARollbackLeavesItInPlace() {
    String text = new PlanRenderer().text(plan("""
        ALTER TABLE orders ADD COLUMN note text;
        CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);
        ALTER TABLE orders ALTER COLUMN note DROP NOT NULL;
        """));
    assertThat(text).contains("""
        1. [direct] run as is (line 1): ALTER TABLE orders ADD COLUMN note text
           - run
               ALTER TABLE orders ADD COLUMN note text
               undo: ALTER TABLE "public"."orders" DROP COLUMN IF EXISTS "note"
        """);
    assertThat(text).contains("""
               CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note)  -- outside a transaction
               undo: DROP INDEX CONCURRENTLY IF EXISTS "public"."orders_note_idx"  -- outside a transaction
        """);
    assertThat(text).contains("""
               ALTER TABLE orders ALTER COLUMN note DROP NOT NULL
               irreversible: a rollback after this step leaves it in place
        """);
  }

  @Test
  void jsonMarksIrreversiblePhasesAndThePlanRoundTripsWithItsUndos() throws Exception {
    Plan plan = plan("CREATE TABLE audit (id int);\nUPDATE orders SET note = 'x' WHERE id = 1;");
    ObjectMapper json = new ObjectMapper();
    JsonNode steps = json.readTree(new PlanRenderer().json(plan)).get("steps");
    JsonNode created = steps.get(0).get("phases").get(0);
    assertThat(created.get("irreversible").asBoolean()).isFalse();
    assertThat(created.get("compensation").get(0).asText()).startsWith("DO $zdm_undo$");
    assertThat(steps.get(0).get("step").get("undo").get("transactional").asBoolean()).isTrue();
    JsonNode update = steps.get(1).get("phases").get(0);
    assertThat(update.get("irreversible").asBoolean()).isTrue();
    assertThat(update.get("compensation")).isEmpty();
    assertThat(steps.get(1).get("step").get("undo").isNull()).isTrue();
    assertThat(json.readValue(json.writeValueAsString(plan), Plan.class)).isEqualTo(plan);
  }

  @Test
  void everyKindOfPlanStepHasPhases() {
    List<PlanStep> samples = List.of(
        new DirectStep(1, "SELECT 1", true),
        new ExpandContractStep(ORDERS, "legacy", 1),
        new DualWriteStep(ORDERS, "a", "b", null, null, null, DualWriteStep.Kind.RENAME, 1),
        new ProgressiveDmlStep(ORDERS, ProgressiveDmlStep.Operation.DELETE, null, "old", "old",
            100, 0, 1000, 100, 1),
        new ConcurrentIndexStep(ORDERS, "i", "CREATE INDEX CONCURRENTLY i ON orders (a)", "(a)",
            false, null, null, null, 1),
        new ConstraintStep(ORDERS, "c", ConstraintStep.Kind.CHECK, "CHECK (a > 0)", null, List.of(), 1),
        new BlueGreenStep(ORDERS, List.of("VACUUM FULL orders"), 1),
        new FeatureFlagStep("search_v2", List.of(5, 100), null, List.of(), null, List.of(100), null),
        new DropTableStep(ORDERS, false, DropTableStep.DEFAULT_RETENTION_SECONDS, List.of(), 1));
    // A new kind of step fails here until it has a sample, and then until StepPlannings.all() lists it.
    assertThat(samples.stream().map(Object::getClass).toList())
        .containsExactlyInAnyOrder(Arrays.stream(PlanStep.class.getPermittedSubclasses()).toArray(Class[]::new));
    StepPlannings kinds = StepPlannings.all();
    for (PlanStep step : samples) {
      assertThat(kinds.phases(step, MigrationOptions.defaults())).as(step.getClass().getSimpleName())
          .isNotEmpty();
    }
  }

  @Test
  void everyPointOfNoReturnIsPrecededByTheFidelityCheck() {
    String text = new PlanRenderer().text(plan("""
        ALTER TABLE orders ALTER COLUMN quantity TYPE bigint;
        ALTER TABLE orders DROP COLUMN legacy;
        """));
    assertThat(text.indexOf("- fidelity check")).isPositive().isLessThan(text.indexOf("- contract"));
    assertThat(text.lastIndexOf("- fidelity check")).isGreaterThan(text.indexOf("- contract"))
        .isLessThan(text.lastIndexOf("- drop"));
    assertThat(text).contains("orders as it was when the step began, apart from quantity_new, the trigger"
        + " and the carried copies");
    assertThat(text.indexOf("- carry over")).as("carried over before the reads switch").isPositive()
        .isLessThan(text.indexOf("- switch reads"));
  }
}
