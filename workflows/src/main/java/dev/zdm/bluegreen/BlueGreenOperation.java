package dev.zdm.bluegreen;

import dev.zdm.model.MigrationResult;
import dev.zdm.model.Strategy;
import dev.zdm.model.plan.BlueGreenStep;
import dev.zdm.operation.CompletedUndo;
import dev.zdm.operation.StepOperation;
import dev.zdm.operation.StepRun;
import io.temporal.workflow.Async;

/** Restructuring a table through a green copy, as a plan step. */
public final class BlueGreenOperation implements StepOperation<BlueGreenStep> {

  @Override
  public Class<BlueGreenStep> stepType() {
    return BlueGreenStep.class;
  }

  @Override
  public Class<?> workflowImplementation() {
    return BlueGreenWorkflowImpl.class;
  }

  @Override
  public MigrationResult run(StepRun run, BlueGreenStep step) {
    BlueGreenRequest request =
        new BlueGreenRequest(run.migrationId(), step.table(), step.greenChanges(), run.options(),
            run.progressKey("blue-green"));
    return run.runChild(Strategy.BLUE_GREEN, BlueGreenWorkflow.class,
        child -> Async.function(child::run, request));
  }

  @Override
  public CompletedUndo undoAfterCompletion(StepRun run, BlueGreenStep step) {
    return new CompletedUndo.Irreversible(
        step.table().displayName() + " was switched to its green copy and the old table dropped");
  }
}
