package dev.zdm.backfill;

import dev.zdm.model.Progress;
import dev.zdm.model.ThrottleRequest;
import dev.zdm.model.WaitingFor;
import dev.zdm.workflow.StatusBoard;
import dev.zdm.workflow.StopOnRollback;
import dev.zdm.workflow.WorkflowRelease;
import dev.zdm.workflow.ZdmActivityOptions;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.function.BooleanSupplier;

/**
 * Workflow side of a backfill: runs the engine chunk by chunk, turns pause/resume/throttle signals
 * into the control row the engine reads before each batch, shows progress in the status, waits
 * for approval at the rollout percentage and at maxDuration, and says when the workflow should
 * continue as new. Live control goes through the ledger (docs/decisions/0201) because a running
 * activity cannot receive a signal.
 */
public final class BackfillDriver {
  /** How a {@link #run} ended. */
  public enum End {
    FINISHED,
    /** The strategy asked to stop (rollback): the running chunk was paused and has returned. */
    STOPPED,
    /** History is long: continue as new with {@link #carry()} and call run again. */
    CONTINUE_AS_NEW
  }

  /** Marks the copy and comparison passes that continue as new when their history is long. */
  public static final String COPY_CONTINUE_AS_NEW_CHANGE = "zdm-copy-continue-as-new";

  private final BackfillActivities engine;
  private final BackfillActivities control;
  private final StatusBoard board;
  private final BooleanSupplier stopRequested;
  private final WorkflowRelease release;

  private long workedMillis;
  private boolean rolloutApproved;
  private boolean paused;
  private Integer batchSize;
  private Integer delayMs;
  private boolean controlChanged;
  private boolean awaitingApproval;
  private boolean approved;
  /** The stop request has been written to the control row for the chunk in flight. */
  private boolean stopSent;
  /** What the last chunk reported; null before the first. */
  private BackfillChunk lastChunk;

  public BackfillDriver(
      StatusBoard board, BackfillCarry carry, BooleanSupplier stopRequested, WorkflowRelease release) {
    this.board = board;
    this.stopRequested = stopRequested;
    this.release = release;
    engine = Workflow.newActivityStub(BackfillActivities.class, ZdmActivityOptions.data(release));
    control = Workflow.newActivityStub(BackfillActivities.class, ZdmActivityOptions.ddl(release));
    BackfillCarry from = carry == null ? BackfillCarry.fresh() : carry;
    workedMillis = from.workedMillis();
    rolloutApproved = from.rolloutApproved();
    paused = from.paused();
    batchSize = from.batchSize();
    delayMs = from.delayMs();
  }

  public BackfillCarry carry() {
    return new BackfillCarry(workedMillis, rolloutApproved, paused, batchSize, delayMs);
  }

  // Signal entry points: they only change state; the run loop writes it to the control row.

  public void pause() {
    paused = true;
    controlChanged = true;
  }

  public void resume() {
    paused = false;
    controlChanged = true;
  }

  /** Validated by the caller's signal handler with {@link BatchSettings#checkBatchSize}. */
  public void throttle(ThrottleRequest request) {
    if (request.batchSize() != null) {
      batchSize = request.batchSize();
    }
    if (request.delayMs() != null) {
      delayMs = request.delayMs();
    }
    controlChanged = true;
  }

  public boolean awaitingApproval() {
    return awaitingApproval;
  }

  public void approve() {
    if (awaitingApproval) {
      approved = true;
    }
  }

  /** Runs the pass to its end, through the rollout and maxDuration gates. */
  public End run(BackfillRequest request) {
    board.pausable(true);
    try {
      return runPass(request, true, () -> true);
    } finally {
      board.pausable(false);
    }
  }

  /**
   * Runs a pass the strategy cannot go on without (a copy, a comparison) to its end or a stop,
   * without a maxDuration gate (a progressive option; a copy that stops halfway helps nobody). The
   * rollout gate stays: such passes ask for 100 %. Once the history is long it returns {@link
   * End#CONTINUE_AS_NEW}: the strategy continues as new with {@link #carry()} and runs the pass
   * again, from the cursor in its progress row. The change id {@link #COPY_CONTINUE_AS_NEW_CHANGE}
   * is asked only then, so shorter runs record no marker, and a run that grew long before copies
   * could continue as new replays without it and keeps going in one run.
   */
  public End runToEnd(BackfillRequest request) {
    board.pausable(true);
    try {
      return runPass(request, false,
          () -> Workflow.getVersion(COPY_CONTINUE_AS_NEW_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1);
    } finally {
      board.pausable(false);
    }
  }

  /** What the last chunk reported (the pass's rows so far); null before the first chunk. */
  public BackfillChunk lastChunk() {
    return lastChunk;
  }

  private End runPass(
      BackfillRequest request, boolean progressive, BooleanSupplier mayContinueAsNew) {
    BatchSettings settings = request.settings();
    writeControl(request.migrationId());
    while (true) {
      if (stopRequested.getAsBoolean()) {
        return End.STOPPED;
      }
      if (paused) {
        board.waitFor(
            WaitingFor.RESUME,
            "Paused: run `zdm resume " + request.migrationId() + "` to go on.");
        Workflow.await(() -> !paused || stopRequested.getAsBoolean() || controlChanged);
        writeControl(request.migrationId());
        board.stopWaiting();
        continue;
      }
      int percent = rolloutApproved ? 100 : settings.rolloutPercentage();
      long started = Workflow.currentTimeMillis();
      BackfillChunk chunk = runChunk(request.upTo(percent));
      lastChunk = chunk;
      workedMillis += Workflow.currentTimeMillis() - started;
      board.progress(progress(request, chunk));
      showThrottle(chunk);
      switch (chunk.end()) {
        case FINISHED:
          return End.FINISHED;
        case REACHED_LIMIT:
          if (!awaitApproval(
              "The first " + percent + " % of " + request.table().displayName()
                  + " is done (" + chunk.rowsScanned() + " rows): check the application, then run"
                  + " `zdm approve " + request.migrationId() + "` to do the rest.")) {
            return End.STOPPED;
          }
          rolloutApproved = true;
          break;
        case PAUSED:
        case TIME_UP:
        default:
          break;
      }
      if (progressive && workedMillis >= settings.maxDuration().toMillis()) {
        if (!awaitApproval(
            "The backfill of " + request.table().displayName() + " has worked its maxDuration of "
                + settings.maxDuration() + " (" + chunk.rowsScanned() + " of " + chunk.rowsTotal()
                + " rows): run `zdm approve " + request.migrationId()
                + "` to give it as long again.")) {
          return End.STOPPED;
        }
        workedMillis = 0;
      }
      if (release.operationModel() && stopRequested.getAsBoolean()) {
        // A rollback that arrived during the last chunk: never carry it into a new run unseen.
        return End.STOPPED;
      }
      if ((Workflow.getInfo().getHistoryLength() > settings.continueAsNewAfterEvents()
              || Workflow.getInfo().isContinueAsNewSuggested())
          && mayContinueAsNew.getAsBoolean()) {
        return End.CONTINUE_AS_NEW;
      }
    }
  }

  /** Runs one chunk; a control change or a stop request meanwhile reaches the engine at once. */
  private BackfillChunk runChunk(BackfillRequest request) {
    Promise<BackfillChunk> chunk = Async.function(engine::runChunk, request);
    while (!chunk.isCompleted()) {
      try {
        Workflow.await(
            () -> chunk.isCompleted() || controlChanged || (!stopSent && stopRequested.getAsBoolean()));
      } catch (CanceledFailure canceled) {
        if (release.operationModel()) {
          // The undo that follows must not run while the chunk's batches still do.
          StopOnRollback.awaitStopped(chunk);
        }
        throw canceled;
      }
      if (!stopSent && stopRequested.getAsBoolean()) {
        // The engine stops at its next batch when it sees the pause; the chunk then returns.
        control.setControl(new BatchControl(request.migrationId(), true, batchSize, delayMs));
        stopSent = true;
      } else if (controlChanged) {
        writeControl(request.migrationId());
      }
    }
    return chunk.get();
  }

  private void writeControl(String migrationId) {
    controlChanged = false;
    control.setControl(new BatchControl(migrationId, paused, batchSize, delayMs));
  }

  private boolean awaitApproval(String message) {
    board.waitFor(WaitingFor.APPROVAL, message);
    awaitingApproval = true;
    approved = false;
    Workflow.await(() -> approved || stopRequested.getAsBoolean());
    awaitingApproval = false;
    board.stopWaiting();
    return approved;
  }

  private void showThrottle(BackfillChunk chunk) {
    if (chunk.throttledBecause() != null) {
      board.waitFor(WaitingFor.THROTTLE, "Backfill waits: " + chunk.throttledBecause());
    } else if (WaitingFor.THROTTLE.equals(board.waitingFor())) {
      board.stopWaiting();
    }
  }

  private Progress progress(BackfillRequest request, BackfillChunk chunk) {
    Long eta = null;
    if (chunk.rowsPerSecond() > 0 && chunk.rowsTotal() >= chunk.rowsScanned()) {
      eta = Math.round((chunk.rowsTotal() - chunk.rowsScanned()) / chunk.rowsPerSecond());
    }
    return new Progress(
        request.step(),
        chunk.rowsScanned(),
        chunk.rowsTotal(),
        chunk.batches(),
        chunk.rowsPerSecond(),
        chunk.end() == BackfillChunk.End.FINISHED ? Long.valueOf(0) : eta,
        chunk.batchSize(),
        chunk.delayMs(),
        paused,
        chunk.throttledBecause());
  }
}
