package dev.zdm.progressive;

import dev.zdm.backfill.BatchSettings;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.plan.ProgressiveDmlStep;
import dev.zdm.operation.CompletedUndo;
import dev.zdm.operation.StepOperation;
import dev.zdm.operation.StepRun;
import java.time.Duration;

/** A batched UPDATE or DELETE, as a plan step. */
public final class ProgressiveDmlOperation implements StepOperation<ProgressiveDmlStep> {

  @Override
  public Class<ProgressiveDmlStep> stepType() {
    return ProgressiveDmlStep.class;
  }

  @Override
  public Class<?> workflowImplementation() {
    return ProgressiveWorkflowImpl.class;
  }

  @Override
  public MigrationResult run(StepRun run, ProgressiveDmlStep step) {
    ProgressiveChange change = step.operation() == ProgressiveDmlStep.Operation.UPDATE
        ? new ProgressiveChange.BatchedUpdate(step.setClause(), step.pending())
        : new ProgressiveChange.BatchedDelete(step.pending());
    BatchSettings batch = BatchSettings.of(
        step.batchSize(), (int) step.delayMs(), Duration.ofMillis(step.maxDurationMs()),
        step.rolloutPercentage());
    return ProgressiveChild.run(run, new ProgressiveRequest(
        run.migrationId(), step.table(), change, batch, run.options(), null, run.progressKey(ProgressiveRequest.FIRST_RELEASE_STEP)));
  }

  @Override
  public CompletedUndo undoAfterCompletion(StepRun run, ProgressiveDmlStep step) {
    return new CompletedUndo.Irreversible(
        "rows of " + step.table().displayName() + " changed by its batches stay changed");
  }
}
