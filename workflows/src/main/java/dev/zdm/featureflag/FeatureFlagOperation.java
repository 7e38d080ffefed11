package dev.zdm.featureflag;

import dev.zdm.model.MigrationResult;
import dev.zdm.model.Strategy;
import dev.zdm.model.plan.FeatureFlagStep;
import dev.zdm.operation.CompletedUndo;
import dev.zdm.operation.StepOperation;
import dev.zdm.operation.StepRun;
import dev.zdm.temporal.ZdmNames;
import io.temporal.workflow.Async;

/** A flag rollout as a plan step: the whole plan of a {@code zdm flag start} migration. */
public final class FeatureFlagOperation implements StepOperation<FeatureFlagStep> {

  /** A rollout is always the only step of its plan, so its workflow id follows from the id. */
  public static String rolloutWorkflowId(String migrationId) {
    return ZdmNames.childWorkflowId(ZdmNames.migrationId(migrationId), 1, Strategy.FEATURE_FLAG);
  }

  @Override
  public Class<FeatureFlagStep> stepType() {
    return FeatureFlagStep.class;
  }

  @Override
  public Class<?> workflowImplementation() {
    return FeatureFlagWorkflowImpl.class;
  }

  @Override
  public MigrationResult run(StepRun run, FeatureFlagStep step) {
    FeatureFlagRequest request = new FeatureFlagRequest(run.migrationId(), step);
    return run.runChild(Strategy.FEATURE_FLAG, FeatureFlagWorkflow.class,
        child -> Async.function(child::run, request));
  }

  @Override
  public CompletedUndo undoAfterCompletion(StepRun run, FeatureFlagStep step) {
    return new CompletedUndo.Irreversible("flag " + step.flag() + " finished its rollout; a new"
        + " rollout (zdm flag start) moves it again");
  }
}
