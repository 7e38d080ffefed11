package dev.zdm.progressive;

import dev.zdm.backfill.BackfillDriver;
import dev.zdm.backfill.BackfillRequest;
import dev.zdm.backfill.BatchChange;
import dev.zdm.backfill.Verification;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.Progress;
import dev.zdm.model.Strategy;
import dev.zdm.model.WaitingFor;
import dev.zdm.progressive.ProgressiveChange.BatchedDelete;
import dev.zdm.progressive.ProgressiveChange.BatchedUpdate;
import dev.zdm.progressive.ProgressiveChange.IndexBuild;
import dev.zdm.progressive.ProgressiveChange.ValidatedConstraint;
import dev.zdm.workflow.BreakerGuard;
import dev.zdm.workflow.Compensations;
import dev.zdm.workflow.InboxControlledWorkflow;
import dev.zdm.workflow.StatusBoard;
import dev.zdm.workflow.WorkflowRelease;
import dev.zdm.workflow.ZdmActivityOptions;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * Batched UPDATE/DELETE on the backfill engine (rollout percentage, maxDuration, live control,
 * verification); indexes built concurrently with progress from pg_stat_progress_create_index;
 * constraints added NOT VALID then validated. Index and constraint steps are undone on rollback;
 * rows already changed by committed batches are not (a rollback stops the batches).
 */
public class ProgressiveWorkflowImpl extends InboxControlledWorkflow implements ProgressiveWorkflow {
  /** How often the status shows a new reading of an index build. */
  public static final Duration INDEX_PROGRESS_POLL = Duration.ofSeconds(5);
  /** How long the partial index must stand with no session queueing before the full build. */
  public static final Duration LOCK_WAIT_CHECK = Duration.ofSeconds(3);

  private ProgressiveActivities activities;
  private ProgressiveActivities longActivities;

  private BreakerGuard guard;
  private Compensations undo;

  @Override
  public MigrationResult run(ProgressiveRequest request) {
    WorkflowRelease release = begin();
    activities = Workflow.newActivityStub(ProgressiveActivities.class, ZdmActivityOptions.ddl(release));
    longActivities = Workflow.newActivityStub(ProgressiveActivities.class, ZdmActivityOptions.data(release));
    String id = request.migrationId();
    board = new StatusBoard(id, Strategy.PROGRESSIVE.cliName(), request.table().displayName(), release);
    guard = new BreakerGuard(id, board, ddl);
    ProgressiveRequest.Continued continued = request.continued();
    BackfillDriver driver =
        new BackfillDriver(
            board, continued == null ? null : continued.backfill(), inbox::rollbackRequested, release);
    inbox.attach(id, guard, driver);
    undo = new Compensations(id, board, release, guard);
    inbox.attachUndo(undo);
    if (continued != null) {
      board.carrySteps(continued.steps());
      inbox.restore(continued.inbox());
    }
    board.rollbackPossible(true);
    try {
      ProgressiveChange change = request.change();
      if (change instanceof IndexBuild index) {
        return buildIndex(request, index);
      }
      if (change instanceof ValidatedConstraint constraint) {
        return addConstraint(request, constraint);
      }
      return changeRows(request, driver);
    } catch (TemporalFailure failure) {
      throw undo.onFailure(failure, "schema steps undone");
    }
  }

  private MigrationResult changeRows(ProgressiveRequest request, BackfillDriver driver) {
    BatchChange.Predicated change =
        request.change() instanceof BatchedUpdate update
            ? new BatchChange.UpdateRows(update.set(), update.where())
            : new BatchChange.DeleteRows(((BatchedDelete) request.change()).where());
    BackfillRequest batches =
        new BackfillRequest(
            request.migrationId(), request.progressKey(), request.table(), change, request.batch(),
            request.options().lockTimeout(), 100);
    board.phase("batching", "Changing rows of " + request.table() + " where " + change.pending()
        + ", " + request.batch().batchSize() + " rows per batch to start.");
    BackfillDriver.End end = guard.run(() -> driver.run(batches));
    if (end == BackfillDriver.End.CONTINUE_AS_NEW) {
      Workflow.continueAsNew(
          request.continuedAs(new ProgressiveRequest.Continued(driver.carry(), board.steps(),
              release.operationModel() ? inbox.carry() : null)));
    }
    if (end == BackfillDriver.End.STOPPED) {
      backfillLedger.end(request.migrationId(), request.progressKey(), "cancelled");
      board.rollbackPossible(false);
      if (release.operationModel()) {
        board.stepDone("batches-stopped", "stopped; rows changed by committed batches stay changed");
        board.phase(Compensations.ROLLED_BACK_PARTIALLY,
            "Stopped: rows already changed by committed batches stay changed.");
      } else {
        board.stepCompensated("batches", "stopped; rows changed by committed batches stay changed");
        board.phase("rolled-back", null);
      }
      return result(Outcome.ROLLED_BACK, "Stopped on request of " + inbox.rollbackRequest().requestedBy()
          + "; rows already changed stay changed.");
    }
    board.stepDone("batches", "every batch done");
    board.phase("verifying", "Checking no row still matches " + change.pending() + ".");
    Verification verification = guard.run(() -> backfill.verify(batches));
    board.stepDone("verify", verification.rowsChecked() + " rows checked, none left to change");
    return completed("Every row of " + request.table() + " changed.");
  }

  private MigrationResult buildIndex(ProgressiveRequest request, IndexBuild index) {
    undo.register("index " + index.name(), () -> activities.dropIndex(request, index.name()));
    if (index.partialFirstWhere() != null) {
      undo.register("index " + index.partialName(),
          () -> activities.dropIndex(request, index.partialName()));
      board.phase("partial-index", "Building " + index.partialName() + " where " + index.partialFirstWhere() + ".");
      build(request, index.partialName(), index.partialFirstWhere());
      board.stepDone("partial-index", index.partialName() + " built");
      if (inbox.rollbackRequested()) {
        return rollBack();
      }
      awaitNoLockQueue(request);
    }
    board.phase("index", "Building " + index.name() + " concurrently.");
    build(request, index.name(), null);
    board.stepDone("index", index.name() + " built and valid");
    if (index.partialFirstWhere() != null) {
      guard.run(() -> activities.dropIndex(request, index.partialName()));
      board.stepDone("partial-index-dropped", index.partialName() + " dropped");
    }
    if (inbox.rollbackRequested()) {
      return rollBack();
    }
    if (index.attachAs() != ProgressiveChange.Attach.NONE) {
      board.phase("attaching", "ADD CONSTRAINT " + index.constraintName() + " USING INDEX " + index.name() + ".");
      undo.register("constraint " + index.constraintName(), () -> activities.dropConstraint(request));
      guard.run(() -> activities.attachConstraint(request));
      board.stepDone("constraint", index.constraintName() + " attached");
    }
    return completed("Index " + index.name() + " on " + request.table() + " built.");
  }

  /** Runs the build while showing its progress; the build's own retries drop an INVALID leftover first. */
  private void build(ProgressiveRequest request, String indexName, String where) {
    if (release.operationModel()) {
      // Progress travels in the build's heartbeat details (Web UI, zdm status), not in polling
      // activities that would add events to the history every few seconds.
      guard.run(() -> longActivities.buildIndex(request, indexName, where));
      return;
    }
    guard.run(() -> {
      Promise<Void> done = Async.procedure(longActivities::buildIndex, request, indexName, where);
      while (!done.isCompleted()) {
        Workflow.await(INDEX_PROGRESS_POLL, done::isCompleted);
        if (!done.isCompleted()) {
          IndexProgress reading = activities.indexProgress(request);
          if (reading.running()) {
            board.progress(new Progress("index " + indexName + ": " + reading.phase(),
                reading.blocksDone(), reading.blocksTotal(), 0, 0, null, 0, 0, false, null));
          }
        }
      }
      done.get();
    });
  }

  /** The guide's lock-wait check, done right: waiting lock requests on the table, from pg_locks. */
  private void awaitNoLockQueue(ProgressiveRequest request) {
    board.phase("lock-check", "Checking that no session queues for a lock on " + request.table() + ".");
    while (true) {
      Workflow.sleep(LOCK_WAIT_CHECK);
      int waiters = activities.lockWaiters(request);
      if (waiters <= request.batch().maxLockWaiters()) {
        board.stepDone("lock-check", "no session waits for a lock on " + request.table());
        return;
      }
      board.waitFor(WaitingFor.THROTTLE, waiters + " session(s) wait for a lock on " + request.table()
          + "; the full index waits until they are served.");
    }
  }

  private MigrationResult addConstraint(ProgressiveRequest request, ValidatedConstraint constraint) {
    board.phase("adding-constraint", "ADD CONSTRAINT " + constraint.name() + " ... NOT VALID.");
    undo.register("constraint " + constraint.name(), () -> activities.dropConstraint(request));
    guard.run(() -> activities.addConstraintNotValid(request));
    board.stepDone("constraint-not-valid", constraint.name() + " added NOT VALID");
    if (inbox.rollbackRequested()) {
      return rollBack();
    }
    board.phase("validating", "VALIDATE CONSTRAINT " + constraint.name() + " (reads and writes go on).");
    guard.run(() -> longActivities.validateConstraint(request));
    board.stepDone("constraint-validated", constraint.name() + " validated");
    return completed("Constraint " + constraint.name() + " on " + request.table() + " added and validated.");
  }

  private MigrationResult rollBack() {
    return undo.rollBack(inbox.rollbackRequest(), "index or constraint dropped");
  }

  private MigrationResult completed(String message) {
    board.rollbackPossible(false);
    board.phase("completed", message);
    return result(Outcome.COMPLETED, message);
  }

  private MigrationResult result(Outcome outcome, String message) {
    return new MigrationResult(board.snapshot().migrationId(), outcome, message, board.steps());
  }
}
