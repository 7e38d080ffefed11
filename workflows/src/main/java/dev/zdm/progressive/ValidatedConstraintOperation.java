package dev.zdm.progressive;

import dev.zdm.backfill.BatchSettings;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.plan.ConstraintStep;
import dev.zdm.operation.CompletedUndo;
import dev.zdm.operation.StepOperation;
import dev.zdm.operation.StepRun;

/**
 * A constraint added NOT VALID then validated, as a plan step; NOT NULL goes through a validated
 * check, after which the parent runs the step's closing statements (SET NOT NULL, drop the check).
 */
public final class ValidatedConstraintOperation implements StepOperation<ConstraintStep> {

  @Override
  public Class<ConstraintStep> stepType() {
    return ConstraintStep.class;
  }

  @Override
  public Class<?> workflowImplementation() {
    return ProgressiveWorkflowImpl.class;
  }

  @Override
  public MigrationResult run(StepRun run, ConstraintStep step) {
    MigrationResult result = ProgressiveChild.run(run, request(run, step));
    if (result.outcome() == Outcome.COMPLETED) {
      for (String sql : step.afterValidation()) {
        run.runStatement(sql, true);
      }
    }
    return result;
  }

  @Override
  public CompletedUndo undoAfterCompletion(StepRun run, ConstraintStep step) {
    if (!step.afterValidation().isEmpty()) {
      if (step.undoAfterValidation().isEmpty()) {
        return new CompletedUndo.Irreversible(
            step.describe() + ": the column stays NOT NULL (its helper check is gone)");
      }
      // Transactional ALTERs under the migration's lock_timeout, idempotent (IF EXISTS, DROP NOT NULL).
      return new CompletedUndo.Undo(
          "step " + run.number() + " (" + String.join("; ", step.undoAfterValidation()) + ")",
          () -> step.undoAfterValidation().forEach(sql -> run.runUndoStatement(sql, true)));
    }
    ProgressiveRequest request = request(run, step);
    return new CompletedUndo.Undo("constraint " + step.constraintName(),
        () -> ProgressiveChild.undoActivities(run).dropConstraint(request));
  }

  private static ProgressiveRequest request(StepRun run, ConstraintStep step) {
    ProgressiveChange change =
        new ProgressiveChange.ValidatedConstraint(step.constraintName(), step.definition());
    return new ProgressiveRequest(run.migrationId(), step.table(), change, BatchSettings.defaults(),
        run.options(), null, run.progressKey(ProgressiveRequest.FIRST_RELEASE_STEP));
  }
}
