package dev.zdm.workflow;

import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.MigrationStatus;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.ThrottleRequest;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;

/**
 * What every strategy workflow answers to. The parent forwards its signals here by these method
 * names, so a strategy can also be driven directly from the Web UI.
 */
public interface StrategyWorkflowControls {
  String DEPLOYED = "deployed";
  String APPROVE = "approve";
  String ROLLBACK = "rollback";
  String BREAKER_RESET = "breakerReset";
  String PAUSE = "pause";
  String RESUME = "resume";
  String THROTTLE = "throttle";

  @SignalMethod
  void deployed(DeploymentSignal signal);

  @SignalMethod
  void approve(ApprovalRequest request);

  @SignalMethod
  void rollback(RollbackRequest request);

  @SignalMethod
  void breakerReset();

  @SignalMethod
  void pause();

  @SignalMethod
  void resume();

  @SignalMethod
  void throttle(ThrottleRequest request);

  @QueryMethod
  MigrationStatus status();
}
