package dev.zdm.droptable;

import dev.zdm.activities.DdlActivities;
import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.HumanDuration;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.MigrationStatus;
import dev.zdm.model.Outcome;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.Strategy;
import dev.zdm.model.ThrottleRequest;
import dev.zdm.model.WaitingFor;
import dev.zdm.workflow.BreakerGuard;
import dev.zdm.workflow.Compensations;
import dev.zdm.workflow.StatusBoard;
import dev.zdm.workflow.WorkflowRelease;
import dev.zdm.workflow.ZdmActivityOptions;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * deprecate -> deployment -> removal date -> approval -> move aside -> retention -> check -> drop.
 * Until the drop starts a rollback undoes everything done so far (the table moves back under its
 * name); the drop itself is the point of no return. A new workflow type: its command sequence
 * needs no version marker of its own beyond the release every zdm workflow asks for.
 */
public class DropTableWorkflowImpl implements DropTableWorkflow {
  private static final String UNDO_DETAIL = "table moved back and deprecation removed where they were done";

  private DropTableActivities activities;
  private StatusBoard board;
  private BreakerGuard guard;
  private Compensations undo;
  private DeploymentSignal deployment;
  private ApprovalRequest approval;
  private RollbackRequest rollbackRequest;
  private boolean awaitingApproval;
  private boolean pastPointOfNoReturn;

  @Override
  public MigrationResult run(DropTableRequest request) {
    WorkflowRelease release = WorkflowRelease.ofThisRun();
    activities = Workflow.newActivityStub(DropTableActivities.class, ZdmActivityOptions.ddl(release));
    DdlActivities ddl = Workflow.newActivityStub(DdlActivities.class, ZdmActivityOptions.ddl(release));
    String table = "table " + request.table().displayName();
    board = new StatusBoard(request.migrationId(), Strategy.EXPAND_CONTRACT.cliName(),
        request.table().displayName(), release);
    guard = new BreakerGuard(request.migrationId(), board, ddl);
    undo = new Compensations(request.migrationId(), board, release, guard);
    board.rollbackPossible(true);
    try {
      Optional<MigrationResult> ended = untilMove(request, table);
      if (ended.isPresent()) {
        return ended.get();
      }

      board.phase("moving-aside", "Moving " + table + " into the archive schema (a rename: lock_timeout "
          + request.options().lockTimeout().toMillis() + " ms, retried).");
      undo.register("move of " + table + " into the archive schema", () -> activities.moveBack(request));
      ArchivedTable archived = guard.run(() -> activities.moveAside(request));
      Instant dropAt = Instant.ofEpochMilli(Workflow.currentTimeMillis()).plus(request.retention());
      board.stepDone("move-aside", table + " moved to " + archived.archive().displayName() + " ("
          + "about " + archived.rows() + " rows); `zdm rollback` moves it back until it is dropped at " + dropAt);
      if (rollbackRequest != null) {
        return rollBack();
      }

      if (!request.retention().isZero()) {
        board.phase("awaiting-retention", null);
        board.waitFor(WaitingFor.RETENTION, table + " is kept as " + archived.archive().displayName()
            + " until " + dropAt + ", then dropped; `zdm rollback " + request.migrationId()
            + "` moves it back until then.");
        Workflow.await(request.retention(), () -> rollbackRequest != null);
        if (rollbackRequest != null) {
          return rollBack();
        }
        board.stepDone("retention", "retention period over");
      }

      // Last step that can still be undone: a table that is not the one zdm moved, or that
      // something depends on again, stops the drop here.
      board.phase("checking-fidelity", "Checking that " + archived.archive().displayName()
          + " is the table zdm moved aside and that nothing depends on it.");
      String same = guard.run(() -> activities.checkArchived(request, archived));
      board.stepDone("fidelity-check", same);
      if (rollbackRequest != null) {
        return rollBack();
      }

      pastPointOfNoReturn = true;
      undo.pointOfNoReturn();
      board.rollbackPossible(false);
      board.phase("dropping", "Dropping " + archived.archive().displayName() + " (lock_timeout "
          + request.options().lockTimeout().toMillis() + " ms, retried).");
      undo.irreversible(() -> guard.run(() -> activities.dropArchived(request, archived)));
      board.stepDone("drop", archived.archive().displayName() + " dropped");
      board.phase("completed", table + " dropped after " + HumanDuration.format(request.retention())
          + " in the archive schema.");
      return result(board.snapshot().message());
    } catch (TemporalFailure failure) {
      throw undo.onFailure(failure, UNDO_DETAIL);
    }
  }

  /**
   * deprecate -> deployment -> removal date -> approval; a result when the run ends before the move
   * (a rollback, a table this migration already dropped, or an absent table under IF EXISTS).
   */
  private Optional<MigrationResult> untilMove(DropTableRequest request, String table) {
    board.phase("deprecating", "Marking " + table + " deprecated.");
    undo.register("deprecation of " + table, () -> activities.removeTableDeprecation(request));
    TableDeprecation deprecation = guard.run(() -> activities.deprecateTable(request));
    switch (deprecation.state()) {
      case ABSENT -> {
        return Optional.of(finished("deprecate", table + " does not exist (IF EXISTS): nothing to drop."));
      }
      case REMOVED -> {
        // Started again after the Temporal server lost its state: the ledger says it is done.
        pastPointOfNoReturn = true;
        board.rollbackPossible(false);
        return Optional.of(finished("deprecate", table + " was already dropped by this migration."));
      }
      case DEPRECATED -> {}
    }
    board.stepDone("deprecate", table + " deprecated; removal date "
        + Instant.ofEpochMilli(deprecation.removalDateEpochMillis()));

    board.phase("awaiting-deployment", null);
    board.waitFor(WaitingFor.DEPLOYMENT, "Deploy the application version that no longer uses " + table
        + ", then run `zdm deployed " + request.migrationId() + " --version <v>`.");
    if (awaitOrRollback(() -> deployment != null)) {
      return Optional.of(rollBack());
    }
    board.stepDone("deployment", "application version " + deployment.version() + " deployed");

    Duration untilRemoval = Duration.ofMillis(
        Math.max(0, deprecation.removalDateEpochMillis() - Workflow.currentTimeMillis()));
    if (!untilRemoval.isZero()) {
      board.phase("awaiting-removal-date", null);
      board.waitFor(WaitingFor.REMOVAL_DATE, "Waiting until the removal date "
          + Instant.ofEpochMilli(deprecation.removalDateEpochMillis()) + " before " + table
          + " is moved aside.");
      Workflow.await(untilRemoval, () -> rollbackRequest != null);
      if (rollbackRequest != null) {
        return Optional.of(rollBack());
      }
      board.stepDone("removal-date", "removal date reached");
    }

    if (request.options().requireApproval()) {
      board.phase("awaiting-approval", null);
      board.waitFor(WaitingFor.APPROVAL, "Approve moving " + table + " aside (it stays restorable with"
          + " `zdm rollback` for " + HumanDuration.format(request.retention()) + ", then it is dropped): run `zdm approve "
          + request.migrationId() + "` to go on, or `zdm rollback` to undo.");
      awaitingApproval = true;
      boolean rolledBack = awaitOrRollback(() -> approval != null);
      awaitingApproval = false;
      if (rolledBack) {
        return Optional.of(rollBack());
      }
      board.stepDone("approval", "approved by " + approval.approvedBy());
    }
    return Optional.empty();
  }

  /** Waits for {@code condition}; true when a rollback came first. */
  private boolean awaitOrRollback(Supplier<Boolean> condition) {
    Workflow.await(() -> condition.get() || rollbackRequest != null);
    return rollbackRequest != null;
  }

  private MigrationResult finished(String step, String message) {
    board.stepDone(step, message);
    board.phase("completed", message);
    return result(message);
  }

  private MigrationResult rollBack() {
    return undo.rollBack(rollbackRequest, UNDO_DETAIL);
  }

  private MigrationResult result(String message) {
    return new MigrationResult(board.snapshot().migrationId(), Outcome.COMPLETED, message, board.steps());
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

  // No batches: a rename has nothing to pause or throttle.

  @Override
  public void pause() {}

  @Override
  public void resume() {}

  @Override
  public void throttle(ThrottleRequest request) {}

  @Override
  public MigrationStatus status() {
    return board == null ? null : board.snapshot();
  }
}
