package dev.zdm.planning;

import dev.zdm.analysis.ColumnTypeSource;
import dev.zdm.analysis.FileAnalysis;
import dev.zdm.analysis.MigrationAnalyzer;
import dev.zdm.analysis.MigrationScript;
import dev.zdm.error.ZdmException;
import dev.zdm.model.Strategy;
import dev.zdm.model.plan.DualWriteStep;
import dev.zdm.model.plan.Plan;
import dev.zdm.model.plan.PlanStep;
import java.util.List;

/**
 * Turns a parsed migration into a {@link Plan}: the statements the chosen strategy handles
 * become strategy steps, the rest stay direct steps, in file order. With no strategy the plan
 * follows the analysis: each unsafe statement gets its recommended strategy's step.
 */
public final class MigrationPlanner {

  /**
   * @param strategy null for automatic planning from the analysis
   * @throws ZdmException BAD_INPUT for invalid SQL or a strategy that fits no statement,
   *     REFUSED for an unsafe statement the planner cannot make safe
   */
  public Plan plan(String migrationId, MigrationScript script, Strategy strategy) {
    return plan(migrationId, script, strategy, false);
  }

  /** As {@link #plan(String, MigrationScript, Strategy)}; {@code force} keeps what cannot be made safe as direct steps, with a warning. */
  public Plan plan(String migrationId, MigrationScript script, Strategy strategy, boolean force) {
    return plan(migrationId, script, strategy, force, PriorState.UNKNOWN);
  }

  /**
   * As {@link #plan(String, MigrationScript, Strategy, boolean)}; {@code prior} tells the values a
   * statement replaces (a default, a comment), so its direct step can get an undo that restores
   * them. With {@link PriorState#UNKNOWN} such statements are irreversible.
   */
  public Plan plan(
      String migrationId, MigrationScript script, Strategy strategy, boolean force, PriorState prior) {
    return plan(migrationId, script, strategy, force, prior, ColumnTypeSource.NONE);
  }

  /**
   * As {@link #plan(String, MigrationScript, Strategy, boolean, PriorState)}, judging type changes
   * by the columns' current types: a binary-coercible change (varchar widening, varchar to text,
   * numeric precision widening) touches only the catalog and becomes a direct step instead of a
   * dual-write. Whoever has a database passes {@code CatalogColumnTypes} (zdm start always does).
   */
  public Plan plan(String migrationId, MigrationScript script, Strategy strategy, boolean force,
      PriorState prior, ColumnTypeSource currentTypes) {
    if (script.statements().isEmpty()) {
      throw ZdmException.badInput(script.sourceName() + ": the file holds no SQL statement");
    }
    if (strategy == Strategy.FEATURE_FLAG) {
      throw ZdmException.badInput(
          "strategy " + strategy.cliName() + " is not planned from SQL: start a flag rollout with"
              + " `zdm flag start FLAG --steps 5,25,50,100 --soak 10m`");
    }
    FileAnalysis analysis = new MigrationAnalyzer(null, currentTypes).analyzeScript(script);
    AutomaticPlanner planner = new AutomaticPlanner(script.sourceName(), force, prior);
    planner.plan(analysis);
    if (strategy != null
        && planner.steps().stream().noneMatch(step -> step.strategy() == strategy)) {
      throw ZdmException.badInput(script.sourceName() + ": no statement in it is one the "
          + strategy.cliName() + " strategy handles (run zdm plan without --strategy to see"
          + " what each statement needs)");
    }
    return new Plan(migrationId, planner.steps(), planner.warnings());
  }

  /**
   * {@code zdm start --reads-flag}: every dual-write of the plan without its own {@code readsFlag}
   * annotation waits for {@code flag}'s rollout instead of the reads deployment.
   *
   * @throws ZdmException BAD_INPUT when the plan has no dual-write
   */
  public Plan withReadsFlag(Plan plan, String flag) {
    if (flag == null) {
      return plan;
    }
    if (plan.steps().stream().noneMatch(DualWriteStep.class::isInstance)) {
      throw ZdmException.badInput("--reads-flag " + flag + " gates a dual-write's reads, and the plan"
          + " has no dual-write step");
    }
    List<PlanStep> steps = plan.steps().stream()
        .map(step -> step instanceof DualWriteStep dualWrite && dualWrite.readsFlag() == null
            ? (PlanStep) dualWrite.withReadsFlag(flag) : step)
        .toList();
    return new Plan(plan.migrationId(), steps, plan.warnings());
  }

}
