package dev.zdm.dualwrite;

import dev.zdm.backfill.BackfillDriver;
import dev.zdm.backfill.BackfillRequest;
import dev.zdm.backfill.Verification;
import dev.zdm.featureflag.FeatureFlagActivities;
import dev.zdm.featureflag.FlagState;
import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.Strategy;
import dev.zdm.model.WaitingFor;
import dev.zdm.workflow.BreakerGuard;
import dev.zdm.workflow.Compensations;
import dev.zdm.workflow.FidelityRelease;
import dev.zdm.workflow.InboxControlledWorkflow;
import dev.zdm.workflow.StatusBoard;
import dev.zdm.workflow.StopOnRollback;
import dev.zdm.workflow.WorkflowRelease;
import dev.zdm.workflow.ZdmActivityOptions;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;
import java.util.Optional;

/**
 * add column -> trigger -> backfill -> verify -> (NOT NULL) -> carry over -> reads deployed -> writes deployed
 * -> approval -> cut over. Until the cut-over starts, a rollback drops the trigger and the new
 * column in one transaction: the trigger kept the old column in sync with every write, including
 * writes that arrived only through the new column, so nothing is lost.
 */
public class DualWriteWorkflowImpl extends InboxControlledWorkflow implements DualWriteWorkflow {
  /** Runs with a flag-gated reads stage wait for the flag instead of the deployment signal. */
  static final String READS_FLAG_CHANGE = "zdm-reads-flag";
  /**
   * Runs that carry the old column's indexes, constraints and grants over to the new column before
   * the reads gate; earlier runs were refused at planning when the old column had any.
   */
  static final String CARRY_OVER_CHANGE = "zdm-dual-write-carry-over";
  /** Derived columns end after their NOT NULL: no gates, no approval, the trigger stays (decision 0550). */
  static final String DERIVED_COLUMN_CHANGE = "zdm-derived-column";

  private DualWriteActivities activities;
  private DualWriteActivities longActivities;

  @Override
  public MigrationResult run(DualWriteRequest request) {
    WorkflowRelease release = begin();
    activities = Workflow.newActivityStub(DualWriteActivities.class, ZdmActivityOptions.ddl(release));
    longActivities = Workflow.newActivityStub(DualWriteActivities.class, ZdmActivityOptions.data(release));
    String id = request.migrationId();
    board = new StatusBoard(id, Strategy.DUAL_WRITE.cliName(), request.table().displayName(), release);
    BreakerGuard guard = new BreakerGuard(id, board, ddl);
    DualWriteContinuation continued = request.continued();
    BackfillDriver driver =
        new BackfillDriver(
            board, continued == null ? null : continued.backfill(), inbox::rollbackRequested, release);
    inbox.attach(id, guard, driver);
    Compensations undo = new Compensations(id, board, release, guard);
    inbox.attachUndo(undo);
    board.rollbackPossible(true);
    try {
      DualWritePlan plan;
      if (continued == null) {
        board.phase("planning", "Checking: " + request.describe() + ".");
        plan = guard.run(() -> activities.plan(request));
        board.phase("adding-column", "Adding " + request.newColumn() + " to " + request.table() + ".");
        DualWritePlan added = plan;
        undo.register("dual-write (trigger and new column " + request.newColumn() + ")",
            () -> activities.removeDualWrite(added));
        guard.run(() -> activities.addColumn(added));
        board.stepDone("add-column", request.table() + "." + request.newColumn() + " " + plan.newType());
        if (inbox.rollbackRequested()) {
          return rollBack(undo);
        }
        board.phase("installing-trigger", "Keeping both columns in sync on every write.");
        guard.run(() -> activities.installTrigger(plan));
        board.stepDone("trigger", "dual-write trigger installed");
      } else {
        plan = continued.plan();
        board.carrySteps(continued.steps());
        inbox.restore(continued.inbox());
        DualWritePlan added = plan;
        undo.register("dual-write (trigger and new column " + request.newColumn() + ")",
            () -> activities.removeDualWrite(added));
      }

      BackfillRequest backfillRequest =
          new BackfillRequest(
              id, request.progressKey(), request.table(), plan.backfill(), request.batch(),
              request.options().lockTimeout(), 100);
      board.phase("backfilling", "Filling " + request.newColumn() + " for existing rows.");
      BackfillDriver.End end = guard.run(() -> driver.run(backfillRequest));
      if (end == BackfillDriver.End.CONTINUE_AS_NEW) {
        Workflow.continueAsNew(
            request.continuedAs(new DualWriteContinuation(plan, driver.carry(), board.steps(),
                release.operationModel() ? inbox.carry() : null)));
      }
      if (end == BackfillDriver.End.STOPPED) {
        backfillLedger.end(id, request.progressKey(), "cancelled");
        return rollBack(undo);
      }
      board.stepDone("backfill", "every row filled");

      board.phase("verifying", "Checking every row: " + plan.backfill().pending() + " must hold for none.");
      Verification verification = guard.run(() -> backfill.verify(backfillRequest));
      board.stepDone("verify", verification.rowsChecked() + " rows match");

      if (plan.setNotNull()) {
        board.phase("not-null", "CHECK NOT VALID, VALIDATE, SET NOT NULL on " + request.newColumn() + ".");
        guard.run(() -> longActivities.enforceNotNull(plan));
        board.stepDone("not-null", request.newColumn() + " is NOT NULL");
      }

      if (request.kind() == DualWriteKind.DERIVED_COLUMN
          && Workflow.getVersion(DERIVED_COLUMN_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1) {
        return keepDerivation(request, plan, guard, undo);
      }

      if ((request.kind() == DualWriteKind.RENAME_COLUMN || request.kind() == DualWriteKind.CHANGE_TYPE)
          && Workflow.getVersion(CARRY_OVER_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1) {
        board.phase("carrying-over", "Recreating what " + request.oldColumn() + " carries on "
            + request.newColumn() + " (indexes CONCURRENTLY, constraints NOT VALID then VALIDATE).");
        DualWritePlan carried = plan;
        // An index build can take hours: a rollback cancels it instead of waiting for its end.
        Optional<String> summary = new StopOnRollback(guard, inbox::rollbackRequested)
            .run(() -> longActivities.carryOver(carried));
        if (summary.isEmpty()) {
          return rollBack(undo);
        }
        board.stepDone("carry-over", summary.get());
      }

      if (request.readsFlag() != null
          && Workflow.getVersion(READS_FLAG_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1) {
        if (!awaitReadsFlag(request, guard)) {
          return rollBack(undo);
        }
      } else if (!awaitStage(request, WaitingFor.DEPLOYMENT_READS, "reads",
          "Deploy the application version that reads " + request.newColumn())) {
        return rollBack(undo);
      }
      if (!awaitStage(request, WaitingFor.DEPLOYMENT_WRITES, "writes",
          "Deploy the application version that writes only " + request.newColumn())) {
        return rollBack(undo);
      }
      if (request.options().requireApproval()) {
        board.phase("awaiting-approval", null);
        board.waitFor(WaitingFor.APPROVAL,
            "The cut-over drops the trigger" + (request.kind() == DualWriteKind.ADD_NOT_NULL ? "" : " and "
                + request.oldColumn()) + " and cannot be undone: run `zdm approve " + id
                + "` to go on, or `zdm rollback " + id + "` to undo.");
        ApprovalRequest approval = inbox.awaitApproval();
        if (approval == null) {
          return rollBack(undo);
        }
        board.stepDone("approval", "approved by " + approval.approvedBy());
      }

      if (FidelityRelease.checkBeforePointOfNoReturn()) {
        // Last step that can still be undone: a change made behind zdm's back stops the cut-over here.
        board.phase("checking-fidelity", "Comparing " + request.table().displayName()
            + " with its description when this step began.");
        DualWritePlan checked = plan;
        String compared = guard.run(() -> activities.checkFidelity(checked));
        board.stepDone("fidelity-check", compared);
      }
      inbox.pointOfNoReturn();
      undo.pointOfNoReturn();
      board.rollbackPossible(false);
      board.phase("cutting-over", "Dropping the trigger" + (request.kind() == DualWriteKind.ADD_NOT_NULL ? "" : " and "
          + request.oldColumn()) + " (lock_timeout " + request.options().lockTimeout().toMillis() + " ms, retried).");
      DualWritePlan cutOver = plan;
      undo.irreversible(() -> guard.run(() -> activities.cutOver(cutOver)));
      board.stepDone("cut-over", request.describe() + " done");
      board.phase("completed", request.describe() + " done.");
      return new MigrationResult(id, Outcome.COMPLETED, request.describe() + " done.", board.steps());
    } catch (TemporalFailure failure) {
      throw undo.onFailure(failure, failure instanceof CanceledFailure
          ? "dual-write removed" : "dual-write removed; the old column is as it was");
    }
  }

  /**
   * A derived column is done once it is NOT NULL: the trigger that keeps it right stays, so every
   * application version, old or new, writes correct rows without knowing of it. Nothing is dropped,
   * so there is no gate, approval or fidelity check; the last activity only clears zdm's ownership
   * mark on the column and labels the trigger, after which a rollback no longer removes them.
   */
  private MigrationResult keepDerivation(
      DualWriteRequest request, DualWritePlan plan, BreakerGuard guard, Compensations undo) {
    inbox.pointOfNoReturn();
    undo.pointOfNoReturn();
    board.rollbackPossible(false);
    board.phase("keeping-trigger", "Handing " + request.newColumn() + " and its trigger over to the schema.");
    undo.irreversible(() -> guard.run(() -> activities.cutOver(plan)));
    board.stepDone("derived", request.newColumn() + " is NOT NULL and kept by its trigger");
    board.phase("completed", request.describe() + " done.");
    return new MigrationResult(request.migrationId(), Outcome.COMPLETED, request.describe() + " done.",
        board.steps());
  }

  /**
   * The reads gate passed by a flag rollout instead of a deployment: one heartbeating activity
   * waits for the flag at 100 % (a rollback cancels it), so the wait adds nothing to the history.
   */
  private boolean awaitReadsFlag(DualWriteRequest request, BreakerGuard guard) {
    String flag = request.readsFlag();
    FeatureFlagActivities flags =
        Workflow.newActivityStub(FeatureFlagActivities.class, ZdmActivityOptions.data(release));
    board.phase("awaiting-reads", null);
    board.waitFor(WaitingFor.FLAG, "The application reads " + request.newColumn() + " behind flag "
        + flag + ": the migration goes on once its rollout reaches 100 % (`zdm flag start " + flag
        + " --steps ...`).");
    Optional<FlagState> full = new StopOnRollback(guard, inbox::rollbackRequested)
        .run(() -> flags.awaitFull(flag));
    if (full.isEmpty()) {
      return false;
    }
    board.stepDone("reads-flag", "flag " + flag + " at 100 %: every read uses " + request.newColumn());
    return true;
  }

  private boolean awaitStage(DualWriteRequest request, String waitingFor, String stage, String what) {
    board.phase("awaiting-" + stage, null);
    board.waitFor(waitingFor, what + ", then run `zdm deployed " + request.migrationId()
        + " --stage " + stage + " --version <v>`.");
    DeploymentSignal signal = inbox.awaitDeployment(stage);
    if (signal == null) {
      return false;
    }
    board.stepDone("deployment-" + stage, "application version " + signal.version() + " deployed");
    return true;
  }

  private MigrationResult rollBack(Compensations undo) {
    return undo.rollBack(
        inbox.rollbackRequest(), "trigger and new column dropped; the old column has every write");
  }
}
