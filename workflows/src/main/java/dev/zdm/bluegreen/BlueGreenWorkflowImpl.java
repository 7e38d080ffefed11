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
  /**
   * From version 1 the table is compared with its description right after the switch before the
   * old table is dropped; runs that passed their approval before keep dropping straight away.
   */
  static final String FIDELITY_BEFORE_DROP_CHANGE = "zdm-fidelity-before-drop-old";

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
    BlueGreenRequest.Continued continued = request.continued();
    BackfillDriver driver = new BackfillDriver(
        board, continued == null ? null : continued.backfill(), inbox::rollbackRequested, release);
    inbox.attach(id, guard, driver);
    Compensations undo = new Compensations(id, board, release, guard);
    inbox.attachUndo(undo);
    if (continued != null) {
      board.carrySteps(continued.steps());
      inbox.restore(continued.inbox());
    }
    board.rollbackPossible(true);
    try {
      boolean ready;
      if (continued != null) {
        // Continued as new in the copy or the comparison: the steps before it are done, and the
        // one undo looks at the catalog, so registering it again undoes all of them.
        registerRevert(undo, request);
        ready = copyAndCompare(request, guard, driver, continued);
      } else {
        ready = greenCopyReady(request, guard, driver, undo);
      }
      if (!ready || inbox.rollbackRequested()) {
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

      if (Workflow.getVersion(FIDELITY_BEFORE_DROP_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1) {
        // The switched table is what stays: a change made to it while the drop waited would be
        // kept for good, while the old table still has what it lost.
        board.phase("checking-fidelity", "Comparing " + table + " with its description right after the switch.");
        String unchanged = guard.run(() -> activities.checkFidelityBeforeDrop(request));
        board.stepDone("fidelity-check-before-drop", unchanged);
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
   * check -> green copy + changes -> sync trigger -> copy -> verify; false when a rollback came
   * (the caller then undoes).
   */
  private boolean greenCopyReady(BlueGreenRequest request, BreakerGuard guard, BackfillDriver driver,
      Compensations undo) {
    String table = request.table().displayName();
    board.phase("checking", "Checking that " + table + " can be rebuilt through a green copy.");
    guard.run(() -> activities.check(request));
    board.stepDone("check", table + " has a primary key and the changes apply to a copy");

    registerRevert(undo, request);
    board.phase("creating-green", "Creating " + table + "_zdm_green and applying the changes to it.");
    guard.run(() -> activities.createGreen(request));
    board.stepDone("create-green", request.greenChanges().size() + " change(s) applied to the green copy");
    if (inbox.rollbackRequested()) {
      return false;
    }

    board.phase("installing-sync", "Syncing every INSERT, UPDATE and DELETE on " + table + " to the green copy.");
    guard.run(() -> activities.installSync(request));
    board.stepDone("sync", "sync trigger installed");
    if (inbox.rollbackRequested()) {
      return false;
    }

    if (release.operationModel()
        && Workflow.getVersion(BATCH_ENGINE_CHANGE, Workflow.DEFAULT_VERSION, 1) == 1) {
      return copyAndCompare(request, guard, driver, null);
    }
    // The path of runs that reached the copy before it went through the batch engine.
    board.phase("copying", "Copying the existing rows of " + table + " in key order.");
    Optional<Long> copied = longStep(guard, () -> dataActivities.copyRows(request));
    if (copied.isEmpty()) {
      return false;
    }
    board.stepDone("copy", copied.get() + " rows copied");
    if (inbox.rollbackRequested()) {
      return false;
    }

    board.phase("verifying", "Comparing counts and checksums of " + table + " and its green copy.");
    Optional<Long> compared = longStep(guard, () -> dataActivities.verify(request));
    if (compared.isEmpty()) {
      return false;
    }
    board.stepDone("verify", compared.get() + " rows match");
    return true;
  }

  /** One undo covers every step before the drop: it looks at the catalog and undoes what it finds. */
  private void registerRevert(Compensations undo, BlueGreenRequest request) {
    undo.register("green copy and sync triggers of " + request.table().displayName()
        + " (names swapped back if switched)", () -> activities.revert(request));
  }

  /**
   * The copy and the comparison as passes of the batch engine, each with its progress row; false
   * when a rollback stopped one at its next batch (its progress row then says cancelled). A run
   * continued as new in one of them ({@code continued}) goes on with that pass.
   */
  private boolean copyAndCompare(BlueGreenRequest request, BreakerGuard guard, BackfillDriver driver,
      BlueGreenRequest.Continued continued) {
    String table = request.table().displayName();
    TableRef green = continued != null ? continued.green() : guard.run(() -> activities.greenTable(request));
    if (continued == null || BlueGreenRequest.COPY.equals(continued.pass())) {
      board.phase("copying", "Copying the existing rows of " + table + " to " + green.displayName()
          + " in key order, batch by batch (pause, resume and throttle act on it).");
      BackfillChunk copied = runPass(request, guard, driver, BlueGreenRequest.COPY, green,
          new BatchChange.CopyRows(green, List.of(), false));
      if (copied == null) {
        return false;
      }
      board.stepDone("copy", copied.rowsScanned() + " rows read, " + copied.rowsChanged()
          + " copied (the rest the sync trigger had written)");
      if (inbox.rollbackRequested()) {
        return false;
      }
    }
    board.phase("verifying", "Comparing counts and checksums of " + table + " and "
        + green.displayName() + ", key range by key range.");
    BackfillChunk compared = runPass(request, guard, driver, BlueGreenRequest.VERIFY, green,
        new BatchChange.CompareRows(green));
    if (compared == null) {
      return false;
    }
    board.stepDone("verify", compared.rowsScanned() + " rows compared, every key range matches");
    return true;
  }

  /**
   * One pass to its end; null when a rollback stopped it. A long history continues as new here,
   * carrying which pass runs; a rollback that came first stopped the pass instead.
   */
  private BackfillChunk runPass(BlueGreenRequest request, BreakerGuard guard, BackfillDriver driver,
      String pass, TableRef green, BatchChange change) {
    BackfillRequest batches = new BackfillRequest(request.migrationId(), request.progressKey(pass),
        request.table(), change, BatchSettings.forCopies(request.continueAsNewAfterEvents()),
        request.options().lockTimeout(), 100);
    BackfillDriver.End end = guard.run(() -> driver.runToEnd(batches));
    if (end == BackfillDriver.End.CONTINUE_AS_NEW) {
      Workflow.continueAsNew(request.continuedAs(new BlueGreenRequest.Continued(
          pass, green, driver.carry(), board.steps(), inbox.carry())));
    }
    if (end == BackfillDriver.End.STOPPED) {
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
