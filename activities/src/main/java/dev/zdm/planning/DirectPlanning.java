package dev.zdm.planning;

import dev.zdm.model.MigrationOptions;
import dev.zdm.model.plan.DirectStep;
import java.util.List;

/** A statement run as written: its undo, or that a rollback leaves it in place. */
final class DirectPlanning implements StepPlanning<DirectStep> {

  @Override
  public Class<DirectStep> stepType() {
    return DirectStep.class;
  }

  @Override
  public List<PlanPhase> phases(DirectStep step, MigrationOptions options) {
    List<String> sql = List.of(step.sql() + outsideTransaction(step.transactional()));
    if (!step.reversible()) {
      return List.of(new PlanPhase("run", sql, null, List.of(), true));
    }
    return List.of(new PlanPhase("run", sql, null,
        List.of(step.undo().sql() + outsideTransaction(step.undo().transactional()))));
  }

  private static String outsideTransaction(boolean transactional) {
    return transactional ? "" : "  -- outside a transaction";
  }
}
