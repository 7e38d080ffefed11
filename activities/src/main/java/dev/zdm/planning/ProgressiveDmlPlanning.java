package dev.zdm.planning;

import dev.zdm.model.MigrationOptions;
import dev.zdm.model.plan.ProgressiveDmlStep;
import dev.zdm.postgres.Identifiers;
import java.util.List;

/** An UPDATE or DELETE run in batches. */
final class ProgressiveDmlPlanning implements StepPlanning<ProgressiveDmlStep> {

  @Override
  public Class<ProgressiveDmlStep> stepType() {
    return ProgressiveDmlStep.class;
  }

  @Override
  public List<PlanPhase> phases(ProgressiveDmlStep step, MigrationOptions options) {
    String t = Identifiers.quote(step.table());
    String where = " AND (" + step.pending() + ")";
    String sql = step.operation() == ProgressiveDmlStep.Operation.UPDATE
        ? "UPDATE " + t + " SET " + step.setClause() + " WHERE <pk> >= :from AND <pk> < :to" + where
        : "DELETE FROM " + t + " WHERE <pk> >= :from AND <pk> < :to" + where;
    return List.of(new PlanPhase("batches", List.of(sql + "  -- " + step.batchSize()
            + " rows per batch, each its own transaction, " + step.delayMs()
            + " ms pause, progress in _migration_progress"),
        step.rolloutPercentage() < 100
            ? "approval: after " + step.rolloutPercentage() + "% of the key range" : null,
        List.of()),
        new PlanPhase("time limit", List.of(), "time: stops after " + step.maxDurationMs() / 1000
            + " s (resumable)", List.of()));
  }

  @Override
  public boolean readsEveryRow(ProgressiveDmlStep step) {
    return true;
  }
}
