package dev.zdm.bluegreen;

import dev.zdm.backfill.BackfillChunk;
import dev.zdm.backfill.BackfillDriver;
import dev.zdm.backfill.BackfillRequest;
import dev.zdm.backfill.BatchChange;
import dev.zdm.backfill.BatchSettings;
import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.Strategy;
import dev.zdm.model.TableRef;
import dev.zdm.model.WaitingFor;
import dev.zdm.workflow.BreakerGuard;
import dev.zdm.workflow.Compensations;
import dev.zdm.workflow.FidelityRelease;
import dev.zdm.workflow.InboxControlledWorkflow;
import dev.zdm.workflow.StatusBoard;
import dev.zdm.workflow.StopOnRollback;
import dev.zdm.workflow.WorkflowRelease;
import dev.zdm.workflow.ZdmActivityOptions;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Functions;
import io.temporal.workflow.Workflow;
import java.util.List;
import java.util.Optional;

/**
 * check -> green copy + changes -> sync trigger -> batched copy -> verify -> switch (one short
 * transaction with lock_timeout, retried) -> approval -> drop the old table. Until the drop, a
 * rollback swaps the names back: the reverse sync kept the old table current, so no write is lost.
 */
public class BlueGreenWorkflowImpl extends InboxControlledWorkflow implements BlueGreenWorkflow {
  private static final String UNDO_DETAIL =
      "names swapped back where switched; green copy and sync triggers dropped";
  /**
   * From version 1 the copy and the comparison are passes of the batch engine (pausable,
   * throttled, stopped at the next batch by a rollback); runs that reached the copy before keep
   * the BlueGreenCopy and BlueGreenVerify activities.
   */
  static final String BATCH_ENGINE_CHANGE = "zdm-batch-engine";

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
    BackfillDriver driver = new BackfillDriver(board, null, inbox::rollbackRequested, release);
    inbox.attach(id, guard, driver);
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

      if (release.operationModel()
          && Workflow.getVersion(BATCH_ENGINE_CHANGE, Workflow.DEFAULT_VERSION, 1) == 1) {
        if (!copyAndCompare(request, guard, driver)) {
          return rollBack(undo);
        }
      } else {
        // The path of runs that reached the copy before it went through the batch engine.
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
      }
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
   * The copy and the comparison as passes of the batch engine, each with its progress row; false
   * when a rollback stopped one at its next batch (its progress row then says cancelled).
   */
  private boolean copyAndCompare(BlueGreenRequest request, BreakerGuard guard, BackfillDriver driver) {
    String table = request.table().displayName();
    TableRef green = guard.run(() -> activities.greenTable(request));
    board.phase("copying", "Copying the existing rows of " + table + " to " + green.displayName()
        + " in key order, batch by batch (pause, resume and throttle act on it).");
    BackfillChunk copied = runPass(request, guard, driver, "copy",
        new BatchChange.CopyRows(green, List.of(), false));
    if (copied == null) {
      return false;
    }
    board.stepDone("copy", copied.rowsScanned() + " rows read, " + copied.rowsChanged()
        + " copied (the rest the sync trigger had written)");
    if (inbox.rollbackRequested()) {
      return false;
    }
    board.phase("verifying", "Comparing counts and checksums of " + table + " and "
        + green.displayName() + ", key range by key range.");
    BackfillChunk compared = runPass(request, guard, driver, "verify", new BatchChange.CompareRows(green));
    if (compared == null) {
      return false;
    }
    board.stepDone("verify", compared.rowsScanned() + " rows compared, every key range matches");
    return true;
  }

  /** One pass to its end; null when a rollback stopped it. */
  private BackfillChunk runPass(BlueGreenRequest request, BreakerGuard guard, BackfillDriver driver,
      String pass, BatchChange change) {
    BackfillRequest batches = new BackfillRequest(request.migrationId(), request.progressKey(pass),
        request.table(), change, BatchSettings.forCopies(), request.options().lockTimeout(), 100);
    if (guard.run(() -> driver.runToEnd(batches)) == BackfillDriver.End.STOPPED) {
      backfillLedger.end(request.migrationId(), batches.step(), "cancelled");
      return null;
    }
    return driver.lastChunk();
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
