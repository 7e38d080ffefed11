package dev.zdm.planning;

import dev.zdm.model.MigrationOptions;
import dev.zdm.model.TableRef;
import dev.zdm.model.plan.ConcurrentIndexStep;
import dev.zdm.postgres.Identifiers;
import java.sql.SQLException;
import java.util.List;

/** An index built concurrently, and the UNIQUE or PRIMARY KEY constraint attached to it. */
final class ConcurrentIndexPlanning implements StepPlanning<ConcurrentIndexStep> {

  @Override
  public Class<ConcurrentIndexStep> stepType() {
    return ConcurrentIndexStep.class;
  }

  @Override
  public List<PlanPhase> phases(ConcurrentIndexStep step, MigrationOptions options) {
    String t = Identifiers.quote(step.table());
    String i = Identifiers.quote(new TableRef(step.table().schema(), step.indexName()));
    PlanPhase build = new PlanPhase("build index", List.of(
            "DROP INDEX CONCURRENTLY IF EXISTS " + i + "  -- only when a failed attempt left it INVALID",
            step.createIndexSql() + "  -- outside a transaction; progress from"
                + " pg_stat_progress_create_index"), null,
        List.of("DROP INDEX CONCURRENTLY IF EXISTS " + i));
    if (step.constraintName() == null) {
      return List.of(build);
    }
    return List.of(build, new PlanPhase("attach constraint", List.of("ALTER TABLE " + t
            + " ADD CONSTRAINT " + Identifiers.quote(step.constraintName()) + " "
            + step.constraintType() + " USING INDEX " + Identifiers.quote(step.indexName())), null,
        List.of("ALTER TABLE " + t + " DROP CONSTRAINT " + Identifiers.quote(step.constraintName()))));
  }

  @Override
  public void validate(ConcurrentIndexStep step, PlanCheck check) throws SQLException {
    PlanCheck.refuseExisting(check.catalog().relationExists(step.table().schema(), step.indexName()),
        step.line(), "index", step.indexName(), step.table());
    if (step.constraintName() != null) {
      PlanCheck.refuseExisting(
          check.catalog().constraintValidated(step.table(), step.constraintName()).isPresent(),
          step.line(), "constraint", step.constraintName(), step.table());
    }
  }
}
