package dev.zdm.migration;

import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.MigrationRequest;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.MigrationStatus;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.ThrottleRequest;
import dev.zdm.model.plan.Plan;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One migration file: planned, then run step by step (strategies as child workflows). The single
 * entry point for the CLI and release tooling; it forwards control to the running strategy.
 */
@WorkflowInterface
public interface MigrationWorkflow {

  @WorkflowMethod(name = "Migration")
  MigrationResult run(MigrationRequest request);

  @QueryMethod
  MigrationStatus status();

  /** Returns the plan once it is made, or fails with the reason the migration was refused. */
  @UpdateMethod
  Plan awaitPlan();

  @SignalMethod
  void deployed(DeploymentSignal signal);

  @UpdateMethod
  String approve(ApprovalRequest request);

  @UpdateValidatorMethod(updateName = "approve")
  void validateApprove(ApprovalRequest request);

  @UpdateMethod
  String rollback(RollbackRequest request);

  @UpdateValidatorMethod(updateName = "rollback")
  void validateRollback(RollbackRequest request);

  @SignalMethod
  void breakerReset();

  @SignalMethod
  void pause();

  @SignalMethod
  void resume();

  @SignalMethod
  void throttle(ThrottleRequest request);

  /**
   * The deployment a gate waits for, as an Update: refused with the stages the migration waits for
   * when the stage is unknown or no running step waits for it (the {@link #deployed} signal stays
   * for release tooling and migrations of the first release).
   */
  @UpdateMethod
  String confirmDeployment(DeploymentSignal signal);

  @UpdateValidatorMethod(updateName = "confirmDeployment")
  void validateConfirmDeployment(DeploymentSignal signal);

  /** Pauses the running batched step; refused when the step that runs cannot pause. */
  @UpdateMethod
  String pauseBatches();

  @UpdateValidatorMethod(updateName = "pauseBatches")
  void validatePauseBatches();

  @UpdateMethod
  String resumeBatches();

  @UpdateValidatorMethod(updateName = "resumeBatches")
  void validateResumeBatches();

  @UpdateMethod
  String throttleBatches(ThrottleRequest request);

  @UpdateValidatorMethod(updateName = "throttleBatches")
  void validateThrottleBatches(ThrottleRequest request);

  /** Sent by the running strategy workflow whenever its status changes. */
  @SignalMethod
  void childStatus(MigrationStatus status);
}
