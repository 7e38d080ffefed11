package dev.zdm.expandcontract;

import dev.zdm.activities.DdlActivities;
import dev.zdm.backfill.BackfillActivities;
import dev.zdm.backfill.BackfillDriver;
import dev.zdm.backfill.BackfillRequest;
import dev.zdm.backfill.BatchChange;
import dev.zdm.backfill.BatchSettings;
import dev.zdm.backfill.Verification;
import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.MigrationStatus;
import dev.zdm.model.Outcome;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.Strategy;
import dev.zdm.model.TableRef;
import dev.zdm.model.ThrottleRequest;
import dev.zdm.model.WaitingFor;
import dev.zdm.workflow.BreakerGuard;
import dev.zdm.workflow.Compensations;
import dev.zdm.workflow.FidelityRelease;
import dev.zdm.workflow.InboxCarry;
import dev.zdm.workflow.StatusBoard;
import dev.zdm.workflow.StopOnRollback;
import dev.zdm.workflow.WorkflowRelease;
import dev.zdm.workflow.ZdmActivityOptions;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * deprecate -> deployment -> removal date -> approval -> archive -> drop. Until the drop starts,
 * a rollback undoes everything done so far; the drop itself is the point of no return.
 */
public class ExpandContractWorkflowImpl implements ExpandContractWorkflow {
  private static final String UNDO_DETAIL = "deprecation removed and archive dropped where they existed";
  private static final Logger log = Workflow.getLogger(ExpandContractWorkflowImpl.class);
  /**
   * From version 1 the archive is copied by the batch engine (pausable, throttled, stopped at the
   * next batch by a rollback) and then verified; runs that reached the archive before keep the
   * ArchiveColumn activity.
   */
  static final String BATCH_ENGINE_CHANGE = "zdm-batch-engine";
  /**
   * From version 1 the archive is created with a trigger that keeps it equal to the column
   * (CreateKeptArchive) before the batch copy, under collision-free names, and the drop's
   * transaction holds only the drop and the trigger's removal (DropColumnWithKeptArchive); undone by
   * DropKeptArchive. Runs that reached the archive before keep their archive without trigger, its
   * name and the drop's catch-up.
   */
  static final String ARCHIVE_TRIGGER_CHANGE = "zdm-archive-trigger";

  private ExpandContractActivities activities;
  private ExpandContractActivities dataActivities;
  private BackfillActivities backfill;
  private BackfillActivities backfillLedger;
  private BackfillDriver driver;

  private StatusBoard board;
  private BreakerGuard guard;
  private Compensations undo;
  private WorkflowRelease release;
  private DeploymentSignal deployment;
  private ApprovalRequest approval;
  private RollbackRequest rollbackRequest;
  private boolean awaitingApproval;
  private boolean pastPointOfNoReturn;
  /** Whether this run's archive has the trigger that keeps it current (see ARCHIVE_TRIGGER_CHANGE). */
  private boolean archiveKeptCurrent;

  @Override
  public MigrationResult run(ExpandContractRequest request) {
    release = WorkflowRelease.ofThisRun();
    activities = Workflow.newActivityStub(ExpandContractActivities.class, ZdmActivityOptions.ddl(release));
    dataActivities = Workflow.newActivityStub(ExpandContractActivities.class, ZdmActivityOptions.data(release));
    DdlActivities ddl = Workflow.newActivityStub(DdlActivities.class, ZdmActivityOptions.ddl(release));
    String column = request.table().displayName() + "." + request.column();
    board =
        new StatusBoard(
            request.migrationId(), Strategy.EXPAND_CONTRACT.cliName(), request.table().displayName(),
            release);
    guard = new BreakerGuard(request.migrationId(), board, ddl);
    undo = new Compensations(request.migrationId(), board, release, guard);
    backfill = Workflow.newActivityStub(BackfillActivities.class, ZdmActivityOptions.data(release));
    backfillLedger = Workflow.newActivityStub(BackfillActivities.class, ZdmActivityOptions.ddl(release));
    ExpandContractRequest.Continued continued = request.continued();
    driver = new BackfillDriver(
        board, continued == null ? null : continued.backfill(), () -> rollbackRequest != null, release);
    board.rollbackPossible(true);
    try {
      if (continued == null) {
        Optional<MigrationResult> ended = untilArchive(request, column);
        if (ended.isPresent()) {
          return ended.get();
        }
      } else {
        resume(request, continued, column);
      }
      Optional<ArchiveResult> archived = archive(request, continued, column);
      if (archived.isEmpty()) {
        return rollBack();
      }
      ArchiveResult archive = archived.get();
      board.stepDone(
          "archive", archive.rowsArchived() + " rows archived in " + archive.archiveTable());
      if (rollbackRequest != null) {
        return rollBack();
      }

      if (FidelityRelease.checkBeforePointOfNoReturn()) {
        // Last step that can still be undone: a new use of the column stops the drop here.
        board.phase("checking-fidelity", "Looking for indexes, constraints and views on " + column
            + " that appeared since it was deprecated.");
        String unchanged = guard.run(() -> activities.checkFidelity(request));
        board.stepDone("fidelity-check", unchanged);
      }
      pastPointOfNoReturn = true;
      undo.pointOfNoReturn();
      board.rollbackPossible(false);
      board.phase("dropping", "Dropping " + column + " (lock_timeout " + request.options().lockTimeout().toMillis() + " ms, retried).");
      if (archiveKeptCurrent) {
        undo.irreversible(() -> guard.run(() -> activities.dropColumnWithKeptArchive(request)));
      } else {
        undo.irreversible(() -> guard.run(() -> activities.dropColumn(request)));
      }
      board.stepDone("drop", column + " dropped; its data stays in " + archive.archiveTable());
      board.phase("completed", column + " dropped; data archived in " + archive.archiveTable() + ".");
      return result(Outcome.COMPLETED, board.snapshot().message());
    } catch (TemporalFailure failure) {
      throw undo.onFailure(failure, UNDO_DETAIL);
    }
  }

  /**
   * deprecate -> deployment -> removal date -> approval; a result when the run ends before the
   * archive (a rollback, or a column this migration already dropped).
   */
  private Optional<MigrationResult> untilArchive(ExpandContractRequest request, String column) {
    board.phase("deprecating", "Marking " + column + " deprecated.");
    undo.register("deprecation of " + column, () -> activities.removeDeprecation(request));
    Deprecation deprecation = guard.run(() -> activities.deprecateColumn(request));
    board.rollbackPossible(!deprecation.alreadyRemoved());
    pastPointOfNoReturn = deprecation.alreadyRemoved();
    board.stepDone(
        "deprecate",
        column + " deprecated; removal date "
            + Instant.ofEpochMilli(deprecation.removalDateEpochMillis()));
    if (deprecation.alreadyRemoved()) {
      // Started again after the Temporal server lost its state: the ledger says it is done.
      board.phase("completed", column + " was already dropped by this migration.");
      return Optional.of(
          result(Outcome.COMPLETED, column + " was already dropped by this migration."));
    }

    board.phase("awaiting-deployment", null);
    board.waitFor(
        WaitingFor.DEPLOYMENT,
        "Deploy the application version that no longer uses "
            + column
            + ", then run `zdm deployed "
            + request.migrationId()
            + " --version <v>`.");
    Workflow.await(() -> deployment != null || rollbackRequest != null);
    if (rollbackRequest != null) {
      return Optional.of(rollBack());
    }
    board.stepDone("deployment", "application version " + deployment.version() + " deployed");

    Duration untilRemoval =
        Duration.ofMillis(
            Math.max(0, deprecation.removalDateEpochMillis() - Workflow.currentTimeMillis()));
    if (!untilRemoval.isZero()) {
      board.phase("awaiting-removal-date", null);
      board.waitFor(
          WaitingFor.REMOVAL_DATE,
          "Waiting until the removal date "
              + Instant.ofEpochMilli(deprecation.removalDateEpochMillis())
              + " before " + column + " may be dropped.");
      Workflow.await(untilRemoval, () -> rollbackRequest != null);
      if (rollbackRequest != null) {
        return Optional.of(rollBack());
      }
      board.stepDone("removal-date", "removal date reached");
    }

    if (request.options().requireApproval()) {
      board.phase("awaiting-approval", null);
      board.waitFor(
          WaitingFor.APPROVAL,
          "Dropping "
              + column
              + " cannot be undone except from its archive: run `zdm approve "
              + request.migrationId()
              + "` to go on, or `zdm rollback` to undo.");
      awaitingApproval = true;
      Workflow.await(() -> approval != null || rollbackRequest != null);
      awaitingApproval = false;
      if (rollbackRequest != null) {
        return Optional.of(rollBack());
      }
      board.stepDone("approval", "approved by " + approval.approvedBy());
    }

    return Optional.empty();
  }

  /**
   * A run continued as new in the archive copy takes over what the previous run had: its steps,
   * its deployment and its undo list, registered again in the order the previous run did.
   */
  private void resume(ExpandContractRequest request, ExpandContractRequest.Continued continued,
      String column) {
    board.carrySteps(continued.steps());
    InboxCarry inbox = continued.inbox();
    deployment = inbox.deployments().get(WaitingFor.DEPLOYMENT);
    rollbackRequest = inbox.rollback();
    archiveKeptCurrent = continued.keptCurrent();
    undo.register("deprecation of " + column, () -> activities.removeDeprecation(request));
    if (archiveKeptCurrent) {
      undo.register("archive of " + column + " and its trigger", () -> activities.dropKeptArchive(request));
    } else {
      undo.register("archive of " + column, () -> activities.dropArchive(request));
    }
  }

  /** The archive copy; empty when a rollback stopped it. */
  private Optional<ArchiveResult> archive(
      ExpandContractRequest request, ExpandContractRequest.Continued continued, String column) {
    if (continued != null) {
      return archiveInBatches(request, continued.archiveTable());
    }
    board.phase("archiving", "Copying " + column + " to its archive table.");
    if (release.operationModel()
        && Workflow.getVersion(ARCHIVE_TRIGGER_CHANGE, Workflow.DEFAULT_VERSION, 1) == 1) {
      // The trigger exists before the copy starts: together they leave the archive equal to the
      // column, however the application writes meanwhile.
      archiveKeptCurrent = true;
      undo.register("archive of " + column + " and its trigger", () -> activities.dropKeptArchive(request));
      return archiveInBatches(request, guard.run(() -> activities.createKeptArchive(request)));
    }
    undo.register("archive of " + column, () -> activities.dropArchive(request));
    if (release.operationModel()
        && Workflow.getVersion(BATCH_ENGINE_CHANGE, Workflow.DEFAULT_VERSION, 1) == 1) {
      return archiveInBatches(request, guard.run(() -> activities.createArchive(request)));
    }
    if (release.operationModel()) {
      // A rollback cancels the copy at once instead of waiting for it to end.
      return new StopOnRollback(guard, () -> rollbackRequest != null)
          .run(() -> dataActivities.archiveColumn(request));
    }
    return Optional.of(guard.run(() -> dataActivities.archiveColumn(request)));
  }

  /**
   * The archive copy as a pass of the batch engine (its progress row keyed by the plan step), then
   * the check that every row's value is in the archive; empty when a rollback stopped the copy.
   * A long history continues as new during the copy; a rollback that came first stopped it instead.
   */
  private Optional<ArchiveResult> archiveInBatches(ExpandContractRequest request, TableRef archiveTable) {
    board.phase("archiving", "Copying " + request.table().displayName() + "." + request.column()
        + " to " + archiveTable.displayName() + " in key order, batch by batch (pause, resume and"
        + " throttle act on it).");
    BackfillRequest copy = new BackfillRequest(request.migrationId(), request.archiveProgressKey(),
        request.table(), new BatchChange.CopyRows(archiveTable, List.of(request.column()), true),
        BatchSettings.forCopies(request.continueAsNewAfterEvents()), request.options().lockTimeout(),
        100);
    BackfillDriver.End end = guard.run(() -> driver.runToEnd(copy));
    if (end == BackfillDriver.End.CONTINUE_AS_NEW) {
      Map<String, DeploymentSignal> deployed =
          deployment == null ? Map.of() : Map.of(WaitingFor.DEPLOYMENT, deployment);
      Workflow.continueAsNew(request.continuedAs(new ExpandContractRequest.Continued(
          archiveTable, driver.carry(), board.steps(), new InboxCarry(deployed, rollbackRequest),
          archiveKeptCurrent ? Boolean.TRUE : null)));
    }
    if (end == BackfillDriver.End.STOPPED) {
      backfillLedger.end(request.migrationId(), copy.step(), "cancelled");
      return Optional.empty();
    }
    // Every row must have its value in the archive; a row whose value is NULL may be missing
    // (absent reads as NULL). A failure here names the keys and is undone like any other; a
    // rollback cancels the read at once.
    Optional<Verification> verified = new StopOnRollback(guard, () -> rollbackRequest != null)
        .run(() -> backfill.verify(copy));
    if (verified.isEmpty()) {
      return Optional.empty();
    }
    Verification checked = verified.get();
    log.info("[{}] archive of {} verified: {} rows checked", request.migrationId(),
        request.column(), checked.rowsChecked());
    return Optional.of(new ArchiveResult(archiveTable.displayName(), driver.lastChunk().rowsChanged()));
  }

  private MigrationResult rollBack() {
    return undo.rollBack(rollbackRequest, UNDO_DETAIL);
  }

  private MigrationResult result(Outcome outcome, String message) {
    return new MigrationResult(board.snapshot().migrationId(), outcome, message, board.steps());
  }

  @Override
  public void deployed(DeploymentSignal signal) {
    if (deployment == null) {
      deployment = signal;
    }
  }

  @Override
  public void approve(ApprovalRequest request) {
    if (awaitingApproval) {
      approval = request;
    }
  }

  @Override
  public void rollback(RollbackRequest request) {
    if (!pastPointOfNoReturn && rollbackRequest == null) {
      rollbackRequest = request;
    } else if (undo != null) {
      undo.retryRequested();
    }
  }

  @Override
  public void breakerReset() {
    if (guard != null) {
      guard.resetSignalled();
    }
  }

  // Live control acts on the archive copy; before it the driver keeps it for the copy's start.

  @Override
  public void pause() {
    if (driver != null) {
      driver.pause();
    }
  }

  @Override
  public void resume() {
    if (driver != null) {
      driver.resume();
    }
  }

  @Override
  public void throttle(ThrottleRequest request) {
    if (driver == null) {
      return;
    }
    try {
      BatchSettings.checkThrottle(request);
    } catch (IllegalArgumentException invalid) {
      // A signal handler must not throw: that would fail the workflow task.
      log.warn("[{}] throttle ignored: {}", board.snapshot().migrationId(), invalid.getMessage());
      return;
    }
    driver.throttle(request);
  }

  @Override
  public MigrationStatus status() {
    return board == null ? null : board.snapshot();
  }
}
