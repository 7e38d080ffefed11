package dev.zdm.workflow;

import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.MigrationStatus;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.ThrottleRequest;

/**
 * The control half of a strategy workflow whose signals all go to a {@link ControlInbox}: the
 * strategy's own class then holds only its steps. The subclass creates the board when it starts.
 */
public abstract class InboxControlledWorkflow implements StrategyWorkflowControls {
  protected final ControlInbox inbox = new ControlInbox();
  protected StatusBoard board;

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
