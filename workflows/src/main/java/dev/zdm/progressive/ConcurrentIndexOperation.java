package dev.zdm.progressive;

import dev.zdm.backfill.BatchSettings;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.plan.ConcurrentIndexStep;
import dev.zdm.operation.CompletedUndo;
import dev.zdm.operation.StepOperation;
import dev.zdm.operation.StepRun;

/** An index built concurrently (and a UNIQUE or PRIMARY KEY constraint attached to it), as a plan step. */
public final class ConcurrentIndexOperation implements StepOperation<ConcurrentIndexStep> {

  @Override
  public Class<ConcurrentIndexStep> stepType() {
    return ConcurrentIndexStep.class;
  }

  @Override
  public Class<?> workflowImplementation() {
    return ProgressiveWorkflowImpl.class;
  }

  @Override
  public MigrationResult run(StepRun run, ConcurrentIndexStep step) {
    return ProgressiveChild.run(run, request(run, step));
  }

  @Override
  public CompletedUndo undoAfterCompletion(StepRun run, ConcurrentIndexStep step) {
    ProgressiveRequest request = request(run, step);
    String what = step.constraintName() == null
        ? "index " + step.indexName()
        : step.constraintType() + " " + step.constraintName() + " and index " + step.indexName();
    return new CompletedUndo.Undo(what, () -> {
      ProgressiveActivities activities = ProgressiveChild.undoActivities(run);
      if (step.constraintName() != null) {
        activities.dropConstraint(request);
      }
      activities.dropIndex(request, step.indexName());
    });
  }

  private static ProgressiveRequest request(StepRun run, ConcurrentIndexStep step) {
    ProgressiveChange.Attach attach = step.constraintType() == null
        ? ProgressiveChange.Attach.NONE
        : "PRIMARY KEY".equals(step.constraintType())
            ? ProgressiveChange.Attach.PRIMARY_KEY
            : ProgressiveChange.Attach.UNIQUE;
    ProgressiveChange change = new ProgressiveChange.IndexBuild(
        step.indexName(), step.definition(), step.unique(), step.where(), null, attach,
        step.constraintName());
    return new ProgressiveRequest(run.migrationId(), step.table(), change, BatchSettings.defaults(),
        run.options(), null, run.progressKey(ProgressiveRequest.FIRST_RELEASE_STEP));
  }
}
