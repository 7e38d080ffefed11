package dev.zdm.workflow;

import dev.zdm.activities.DdlActivities;
import dev.zdm.backfill.BackfillActivities;
import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.MigrationStatus;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.ThrottleRequest;
import io.temporal.workflow.Workflow;

/**
 * The shared half of a strategy workflow that moves rows with the backfill engine: its signals
 * all go to a {@link ControlInbox}, and it has the engine's and the DDL runner's activity stubs.
 * The strategy's own class then holds only its steps. The subclass creates the board when it
 * starts.
 */
public abstract class InboxControlledWorkflow implements StrategyWorkflowControls {
  protected final ControlInbox inbox = new ControlInbox();
  protected WorkflowRelease release;
  protected DdlActivities ddl;
  /** Verification: long, heartbeating. */
  protected BackfillActivities backfill;
  /** Ledger bookkeeping: short. */
  protected BackfillActivities backfillLedger;
  protected StatusBoard board;

  /**
   * First thing in the workflow method: fixes the release this run follows and makes the activity
   * stubs with its options.
   */
  protected WorkflowRelease begin() {
    release = WorkflowRelease.ofThisRun();
    ddl = Workflow.newActivityStub(DdlActivities.class, ZdmActivityOptions.ddl(release));
    backfill = Workflow.newActivityStub(BackfillActivities.class, ZdmActivityOptions.data(release));
    backfillLedger = Workflow.newActivityStub(BackfillActivities.class, ZdmActivityOptions.ddl(release));
    return release;
  }

  @Override
  public void deployed(DeploymentSignal signal) {
    inbox.deployed(signal);
  }

  @Override
  public void approve(ApprovalRequest request) {
    inbox.approve(request);
  }

  @Override
  public void rollback(RollbackRequest request) {
    inbox.rollback(request);
  }

  @Override
  public void breakerReset() {
    inbox.breakerReset();
  }

  @Override
  public void pause() {
    inbox.pause();
  }

  @Override
  public void resume() {
    inbox.resume();
  }

  @Override
  public void throttle(ThrottleRequest request) {
    inbox.throttle(request);
  }

  @Override
  public MigrationStatus status() {
    return board == null ? null : board.snapshot();
  }
}
