package dev.zdm.planning;

import dev.zdm.model.MigrationOptions;
import dev.zdm.model.plan.ConstraintStep;
import dev.zdm.postgres.Identifiers;
import java.sql.SQLException;
import java.util.List;

/** A constraint added NOT VALID and validated apart; NOT NULL through a validated check. */
final class ConstraintPlanning implements StepPlanning<ConstraintStep> {

  @Override
  public Class<ConstraintStep> stepType() {
    return ConstraintStep.class;
  }

  @Override
  public List<PlanPhase> phases(ConstraintStep step, MigrationOptions options) {
    String t = Identifiers.quote(step.table());
    String name = Identifiers.quote(step.constraintName());
    String definition = step.definition();
    List<PlanPhase> phases = List.of(
        new PlanPhase("add NOT VALID", List.of("ALTER TABLE " + t + " ADD CONSTRAINT " + name + " "
            + definition + " NOT VALID"), null,
            List.of("ALTER TABLE " + t + " DROP CONSTRAINT IF EXISTS " + name)),
        new PlanPhase("validate", List.of("ALTER TABLE " + t + " VALIDATE CONSTRAINT " + name
            + "  -- SHARE UPDATE EXCLUSIVE: reads and writes continue"), null, List.of()));
    if (step.afterValidation().isEmpty()) {
      return phases;
    }
    // Without the column's prior state (zdm plan without a database) the NOT NULL stays on a rollback.
    List<String> closing = step.afterValidation().stream()
        .map(sql -> sql.contains("SET NOT NULL") ? sql + "  -- no scan: the check proves it" : sql)
        .toList();
    return PlanPhase.concat(phases, List.of(new PlanPhase("set not null", closing, null,
        step.undoAfterValidation(), step.undoAfterValidation().isEmpty())));
  }

  @Override
  public void validate(ConstraintStep step, PlanCheck check) throws SQLException {
    if (step.constraintName() != null) {
      PlanCheck.refuseExisting(
          check.catalog().constraintValidated(step.table(), step.constraintName()).isPresent(),
          step.line(), "constraint", step.constraintName(), step.table());
    }
  }
}
