package dev.zdm.workflow;

import dev.zdm.backfill.BackfillDriver;
import dev.zdm.backfill.BatchSettings;
import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.ThrottleRequest;
import io.temporal.workflow.Workflow;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * What a strategy workflow's signals have asked for, kept until its main thread acts on it:
 * deployments by stage, approval, rollback, and the live control a running backfill passes on.
 * Signal handlers only record here; they never fail (a bad throttle value is logged and ignored,
 * since throwing in a handler would fail the workflow task).
 */
public final class ControlInbox {
  private static final Logger log = Workflow.getLogger(ControlInbox.class);
  private static final String ANY_STAGE = "";

  private String migrationId = "?";
  private final Map<String, DeploymentSignal> deployments = new HashMap<>();
  private String awaitedStage;
  private ApprovalRequest approval;
  private boolean awaitingApproval;
  private RollbackRequest rollbackRequest;
  private boolean pastPointOfNoReturn;
  private BreakerGuard guard;
  private BackfillDriver driver;
  private Compensations undo;

  /** Live control that arrived before the run attached its driver; handed over on attach. */
  private Boolean pausedEarly;
  private ThrottleRequest throttleEarly;

  /** Created with the workflow object, so signals that arrive before the run starts are kept. */
  public ControlInbox() {}

  public void attach(String forMigrationId, BreakerGuard breakerGuard, BackfillDriver backfillDriver) {
    migrationId = forMigrationId;
    guard = breakerGuard;
    driver = backfillDriver;
    if (driver == null) {
      return; // a strategy without a backfill: pause and throttle have nothing to act on
    }
    if (pausedEarly != null) {
      if (pausedEarly) {
        driver.pause();
      } else {
        driver.resume();
      }
    }
    if (throttleEarly != null) {
      driver.throttle(throttleEarly);
    }
  }

  /** A rollback that arrives while an undo waits in rollback-failed retries that undo. */
  public void attachUndo(Compensations compensations) {
    undo = compensations;
  }

  /** What the next run needs after continue-as-new: gates already passed, a pending rollback. */
  public InboxCarry carry() {
    return new InboxCarry(Map.copyOf(deployments), rollbackRequest);
  }

  /** Takes over what the previous run received; null when it carried nothing. */
  public void restore(InboxCarry carried) {
    if (carried == null) {
      return;
    }
    carried.deployments().forEach(deployments::putIfAbsent);
    if (rollbackRequest == null) {
      rollbackRequest = carried.rollback();
    }
  }

  // Signal handlers.

  /** A signal without a stage counts for the gate awaited now (or the next one). */
  public void deployed(DeploymentSignal signal) {
    String stage = signal.stage() != null ? signal.stage() : awaitedStage != null ? awaitedStage : ANY_STAGE;
    deployments.putIfAbsent(stage, signal);
  }

  public void approve(ApprovalRequest request) {
    if (driver != null && driver.awaitingApproval()) {
      driver.approve();
    } else if (awaitingApproval) {
      approval = request;
    }
  }

  public void rollback(RollbackRequest request) {
    if (!pastPointOfNoReturn && rollbackRequest == null) {
      rollbackRequest = request;
    } else if (undo != null) {
      undo.retryRequested();
    }
  }

  public void breakerReset() {
    if (guard != null) {
      guard.resetSignalled();
    }
  }

  public void pause() {
    if (driver != null) {
      driver.pause();
    } else {
      pausedEarly = true;
    }
  }

  public void resume() {
    if (driver != null) {
      driver.resume();
    } else {
      pausedEarly = false;
    }
  }

  public void throttle(ThrottleRequest request) {
    try {
      BatchSettings.checkThrottle(request);
    } catch (IllegalArgumentException invalid) {
      log.warn("[{}] throttle ignored: {}", migrationId, invalid.getMessage());
      return;
    }
    if (driver != null) {
      driver.throttle(request);
    } else {
      throttleEarly = request;
    }
  }

  // The main thread's side.

  public boolean rollbackRequested() {
    return rollbackRequest != null;
  }

  public RollbackRequest rollbackRequest() {
    return rollbackRequest;
  }

  /** From here on a rollback is refused: the next step cannot be undone. */
  public void pointOfNoReturn() {
    pastPointOfNoReturn = true;
  }

  /** Waits for the deployment of {@code stage}; empty when a rollback came first. */
  public DeploymentSignal awaitDeployment(String stage) {
    awaitedStage = stage;
    if (!deployments.containsKey(stage) && deployments.containsKey(ANY_STAGE)) {
      deployments.put(stage, deployments.remove(ANY_STAGE));
    }
    Workflow.await(() -> deployments.containsKey(stage) || rollbackRequest != null);
    awaitedStage = null;
    return rollbackRequest != null ? null : deployments.get(stage);
  }

  /** Waits for approval; null when a rollback came first. */
  public ApprovalRequest awaitApproval() {
    awaitingApproval = true;
    Workflow.await(() -> approval != null || rollbackRequest != null);
    awaitingApproval = false;
    return rollbackRequest != null ? null : approval;
  }
}
