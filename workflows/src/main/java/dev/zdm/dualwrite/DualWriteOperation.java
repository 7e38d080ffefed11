package dev.zdm.dualwrite;

import dev.zdm.backfill.BatchSettings;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Strategy;
import dev.zdm.model.plan.DualWriteStep;
import dev.zdm.operation.CompletedUndo;
import dev.zdm.operation.StepOperation;
import dev.zdm.operation.StepRun;
import io.temporal.workflow.Async;
import java.util.List;

/** A rename, type change or NOT NULL column through dual writes, as a plan step. */
public final class DualWriteOperation implements StepOperation<DualWriteStep> {

  @Override
  public Class<DualWriteStep> stepType() {
    return DualWriteStep.class;
  }

  @Override
  public Class<?> workflowImplementation() {
    return DualWriteWorkflowImpl.class;
  }

  @Override
  public MigrationResult run(StepRun run, DualWriteStep step) {
    DualWriteRequest request = request(run, step);
    return run.runChild(Strategy.DUAL_WRITE, DualWriteWorkflow.class,
        child -> Async.function(child::run, request));
  }

  /** The gates {@link DualWriteWorkflowImpl} waits at, in order. */
  public static final List<String> STAGES = List.of("reads", "writes");

  @Override
  public List<String> deploymentStages(DualWriteStep step) {
    if (step.kind() == DualWriteStep.Kind.DERIVED) {
      // The trigger keeps the column right for every application version: none needs deploying.
      return List.of();
    }
    // A reads gate on a flag is passed by the flag's rollout, not by a deployment.
    return step.readsFlag() == null ? STAGES : List.of("writes");
  }

  @Override
  public CompletedUndo undoAfterCompletion(StepRun run, DualWriteStep step) {
    if (step.kind() == DualWriteStep.Kind.DERIVED) {
      return new CompletedUndo.Irreversible("the derived column " + step.table().displayName() + "."
          + step.newColumn() + " is NOT NULL and kept by its trigger, which application versions may"
          + " now rely on: drop them with a migration of their own");
    }
    return new CompletedUndo.Irreversible(
        "the cut-over of " + step.table().displayName() + " is done (" + step.describe() + ")");
  }

  static DualWriteRequest request(StepRun run, DualWriteStep step) {
    DualWriteKind kind = switch (step.kind()) {
      case RENAME -> DualWriteKind.RENAME_COLUMN;
      case CHANGE_TYPE -> DualWriteKind.CHANGE_TYPE;
      case ADD_NOT_NULL -> DualWriteKind.ADD_NOT_NULL;
      case DERIVED -> DualWriteKind.DERIVED_COLUMN;
    };
    return new DualWriteRequest(
        run.migrationId(), kind, step.table(), step.oldColumn(), step.newColumn(), step.newType(),
        step.forwardExpression(), step.backwardExpression(), null, BatchSettings.defaults(),
        run.options(), null, run.progressKey(DualWriteRequest.FIRST_RELEASE_STEP), step.readsFlag());
  }
}
