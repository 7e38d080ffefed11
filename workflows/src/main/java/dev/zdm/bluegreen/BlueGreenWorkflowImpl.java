package dev.zdm.bluegreen;

import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.Strategy;
import dev.zdm.model.WaitingFor;
import dev.zdm.workflow.BreakerGuard;
import dev.zdm.workflow.Compensations;
import dev.zdm.workflow.FidelityRelease;
import dev.zdm.workflow.InboxControlledWorkflow;
import dev.zdm.workflow.StatusBoard;
import dev.zdm.workflow.WorkflowRelease;
import dev.zdm.workflow.ZdmActivityOptions;
import io.temporal.failure.TemporalFailure;
import dev.zdm.workflow.StopOnRollback;
import io.temporal.workflow.Functions;
import io.temporal.workflow.Workflow;
import java.util.Optional;

/**
 * check -> green copy + changes -> sync trigger -> batched copy -> verify -> switch (one short
 * transaction with lock_timeout, retried) -> approval -> drop the old table. Until the drop, a
 * rollback swaps the names back: the reverse sync kept the old table current, so no write is lost.
 */
public class BlueGreenWorkflowImpl extends InboxControlledWorkflow implements BlueGreenWorkflow {
  private static final String UNDO_DETAIL =
      "names swapped back where switched; green copy and sync triggers dropped";

  private BlueGreenActivities activities;
  private BlueGreenActivities dataActivities;

  @Override
  public MigrationResult run(BlueGreenRequest request) {
    WorkflowRelease release = begin();
    activities = Workflow.newActivityStub(BlueGreenActivities.class, ZdmActivityOptions.ddl(release));
    dataActivities = Workflow.newActivityStub(BlueGreenActivities.class, ZdmActivityOptions.data(release));
    String id = request.migrationId();
    String table = request.table().displayName();
    board = new StatusBoard(id, Strategy.BLUE_GREEN.cliName(), table, release);
    BreakerGuard guard = new BreakerGuard(id, board, ddl);
    inbox.attach(id, guard, null);
    Compensations undo = new Compensations(id, board, release, guard);
    inbox.attachUndo(undo);
    board.rollbackPossible(true);
    try {
      board.phase("checking", "Checking that " + table + " can be rebuilt through a green copy.");
      guard.run(() -> activities.check(request));
      board.stepDone("check", table + " has a primary key and the changes apply to a copy");

      // One undo covers every step before the drop: it looks at the catalog and undoes what it finds.
      undo.register("green copy and sync triggers of " + table + " (names swapped back if switched)",
          () -> activities.revert(request));
      board.phase("creating-green", "Creating " + table + "_zdm_green and applying the changes to it.");
      guard.run(() -> activities.createGreen(request));
      board.stepDone("create-green", request.greenChanges().size() + " change(s) applied to the green copy");
      if (inbox.rollbackRequested()) {
        return rollBack(undo);
      }

      board.phase("installing-sync", "Syncing every INSERT, UPDATE and DELETE on " + table + " to the green copy.");
      guard.run(() -> activities.installSync(request));
      board.stepDone("sync", "sync trigger installed");
      if (inbox.rollbackRequested()) {
        return rollBack(undo);
      }

      board.phase("copying", "Copying the existing rows of " + table + " in key order.");
      Optional<Long> copied = longStep(guard, () -> dataActivities.copyRows(request));
      if (copied.isEmpty()) {
        return rollBack(undo);
      }
      board.stepDone("copy", copied.get() + " rows copied");
      if (inbox.rollbackRequested()) {
        return rollBack(undo);
      }

      board.phase("verifying", "Comparing counts and checksums of " + table + " and its green copy.");
      Optional<Long> compared = longStep(guard, () -> dataActivities.verify(request));
      if (compared.isEmpty()) {
        return rollBack(undo);
      }
      board.stepDone("verify", compared.get() + " rows match");
      if (inbox.rollbackRequested()) {
        return rollBack(undo);
      }

      if (FidelityRelease.checkBeforePointOfNoReturn()) {
        // The green copy was made from the table as checked: a change made since would be lost.
        board.phase("checking-fidelity", "Comparing " + table + " with its description when the migration"
            + " checked it.");
        String unchanged = guard.run(() -> activities.checkFidelity(request));
        board.stepDone("fidelity-check", unchanged);
      }
      board.phase("switching", "Swapping the names in one transaction (lock_timeout "
          + request.options().lockTimeout().toMillis() + " ms, retried).");
      guard.run(() -> activities.switchTables(request));
      board.stepDone("switch", table + " is the green copy; the old table stays current as "
          + table + "_zdm_old");

      if (request.options().requireApproval()) {
        board.phase("awaiting-approval", null);
        board.waitFor(WaitingFor.APPROVAL, "Dropping " + table + "_zdm_old cannot be undone: run `zdm approve "
            + id + "` to go on, or `zdm rollback " + id + "` to swap back.");
        ApprovalRequest approval = inbox.awaitApproval();
        if (approval == null) {
          return rollBack(undo);
        }
        board.stepDone("approval", "approved by " + approval.approvedBy());
      }

      inbox.pointOfNoReturn();
      undo.pointOfNoReturn();
      board.rollbackPossible(false);
      board.phase("dropping-old", "Dropping the reverse sync and " + table + "_zdm_old.");
      undo.irreversible(() -> guard.run(() -> activities.dropOld(request)));
      board.stepDone("drop-old", table + "_zdm_old dropped");
      board.phase("completed", request.describe() + " done.");
      return new MigrationResult(id, Outcome.COMPLETED, request.describe() + " done.", board.steps());
    } catch (TemporalFailure failure) {
      throw undo.onFailure(failure, UNDO_DETAIL);
    }
  }

  /**
   * A copy or verification of the whole table: from the operation model on, a rollback cancels it
   * at once; release 0.1 noticed the rollback only when the step ended.
   */
  private <T> Optional<T> longStep(BreakerGuard guard, Functions.Func<T> step) {
    if (!release.operationModel()) {
      return Optional.of(guard.run(step::apply));
    }
    return new StopOnRollback(guard, inbox::rollbackRequested).run(step);
  }

  private MigrationResult rollBack(Compensations undo) {
    return undo.rollBack(inbox.rollbackRequest(), UNDO_DETAIL);
  }
}
