package dev.zdm.migration;

import dev.zdm.model.MigrationResult;
import dev.zdm.model.plan.DirectStep;
import dev.zdm.operation.CompletedUndo;
import dev.zdm.operation.StepOperation;
import dev.zdm.operation.StepRun;

/** A statement safe as written: the parent runs it through the DDL runner, and its planned inverse on rollback. */
public final class DirectOperation implements StepOperation<DirectStep> {

  @Override
  public Class<DirectStep> stepType() {
    return DirectStep.class;
  }

  @Override
  public Class<?> workflowImplementation() {
    return null;
  }

  @Override
  public MigrationResult run(StepRun run, DirectStep step) {
    run.runStatement(step.sql(), step.transactional());
    return null;
  }

  @Override
  public CompletedUndo undoAfterCompletion(StepRun run, DirectStep step) {
    if (!step.reversible()) {
      return new CompletedUndo.Irreversible("no known inverse: it stays as the file made it");
    }
    DirectStep.Undo undo = step.undo();
    return new CompletedUndo.Undo(
        "step " + run.number() + " (" + firstLine(undo.sql()) + ")",
        () -> run.runUndoStatement(undo.sql(), undo.transactional()));
  }

  private static String firstLine(String sql) {
    return sql.strip().lines().findFirst().orElse("");
  }
}
