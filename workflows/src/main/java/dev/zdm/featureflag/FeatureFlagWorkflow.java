package dev.zdm.featureflag;

import dev.zdm.model.MigrationResult;
import dev.zdm.workflow.StrategyWorkflowControls;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The guide's strategy 5: a flag's rollout percentage moved by schedule (durable soak timers), by
 * Update ({@code zdm flag set}) and back by guard or rollback. {@code zdm flag} talks to it
 * directly; approve and rollback reach it through the parent.
 */
@WorkflowInterface
public interface FeatureFlagWorkflow extends StrategyWorkflowControls {

  @WorkflowMethod(name = "FeatureFlag")
  MigrationResult run(FeatureFlagRequest request);

  /** Moves the flag now; the schedule goes on from the next step above the new percentage. */
  @UpdateMethod
  String setFlag(FlagSetRequest request);

  @UpdateValidatorMethod(updateName = "setFlag")
  void validateSetFlag(FlagSetRequest request);

  /** Stops the schedule at the current percentage; guards keep running. */
  @UpdateMethod
  String holdRollout();

  @UpdateValidatorMethod(updateName = "holdRollout")
  void validateHoldRollout();

  @UpdateMethod
  String continueRollout();

  @UpdateValidatorMethod(updateName = "continueRollout")
  void validateContinueRollout();
}
