package dev.zdm.engine.backfill;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.backfill.BackfillChunk;
import dev.zdm.backfill.BackfillRequest;
import dev.zdm.backfill.BatchChange;
import dev.zdm.backfill.BatchControl;
import dev.zdm.engine.activities.CurrentAttempt;
import dev.zdm.engine.activities.Heartbeat;
import dev.zdm.metrics.ZdmMetrics;
import dev.zdm.postgres.ConnectionWork;
import dev.zdm.postgres.StatementContext;
import dev.zdm.postgres.TargetDatabase;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chunk of a batched pass: before each batch it reads the control row and asks the throttle;
 * each batch is one short transaction that finds the next key range, changes the rows in it that
 * still need it and moves the cursor in {@code _migration_progress}; after it, the cursor is
 * heartbeated and the next batch waits {@code delayMs}. A resumed pass starts after the last
 * committed batch, so a crash redoes at most the batch that was in flight (rolled back with it).
 */
final class BackfillEngine {
  /** Tables with fewer estimated rows than this are counted exactly for the progress total. */
  static final long COUNT_ROWS_BELOW = 1_000_000;
  /** One batch is one short transaction; this only catches a batch gone wrong. */
  static final Duration BATCH_STATEMENT_TIMEOUT = Duration.ofSeconds(30);
  /** How often a throttled or lock-contended pass looks again. */
  static final Duration THROTTLE_RECHECK = Duration.ofMillis(500);
  /** Consecutive lock timeouts within a chunk before the activity fails and Temporal retries it. */
  static final int MAX_LOCK_TIMEOUTS_IN_A_ROW = 20;

  private static final Logger log = LoggerFactory.getLogger(BackfillEngine.class);

  private final TargetDatabase database;
  private final BackfillRequest request;
  private final BatchListener listener;
  private final ProgressRows progress;
  private final ControlRows controls;
  private final Throttle throttle;

  BackfillEngine(TargetDatabase database, BackfillRequest request, BatchListener listener) {
    this.database = database;
    this.request = request;
    this.listener = listener;
    this.progress = new ProgressRows(database.ledger());
    this.controls = new ControlRows(database.ledger());
    this.throttle = new Throttle(request.settings(), request.table());
  }

  BackfillChunk runChunk() {
    ZdmMetrics.BatchedPass pass =
        new ZdmMetrics.BatchedPass(request.migrationId(), request.step(), request.table().displayName());
    try {
      BackfillChunk chunk = runBatches(pass);
      if (chunk.end() == BackfillChunk.End.FINISHED) {
        database.metrics().passEnded(request.migrationId(), request.step());
      }
      return chunk;
    } finally {
      database.metrics().throttleStopped(pass);
    }
  }

  private BackfillChunk runBatches(ZdmMetrics.BatchedPass pass) {
    BackfillTable table = database.runner().run(context("read the key of"), this::describe);
    if (request.change() instanceof BatchChange.UpdateRows update
        && read(c -> progress.find(c, request.migrationId(), request.step())).isEmpty()) {
      refuseAnUpdateThatWouldFail(update);
    }
    ProgressRows.Row start = database.runner().run(context("start the pass over"), c -> begin(c, table));
    if (ProgressRows.COMPLETED.equals(start.status())) {
      return chunk(start, 0, 0, null, BackfillChunk.End.FINISHED);
    }
    List<String> cursor = start.lastKey();
    // The scan ends at the key the table ended at when this pass (or percentage) began: rows the
    // application inserts later are walked only if they still need the change (see below), so a
    // busy table cannot keep the backfill chasing its end.
    List<String> stop = start.stopKey();
    logResume(start);
    BatchSizer sizer = new BatchSizer(request.settings(), start.batchSize());
    long deadline = System.nanoTime() + request.settings().chunkDuration().toNanos();
    long chunkStarted = System.nanoTime();
    long scannedHere = 0;
    int lockTimeoutsInARow = 0;
    String throttledBecause = null;
    int delayMs = request.settings().delayMs();
    long batchNumber = start.batches();

    while (true) {
      BatchControl control = read(c -> controls.read(c, request.migrationId()));
      delayMs = control.delayMs() == null ? request.settings().delayMs() : control.delayMs();
      if (control.paused()) {
        setStatus(ProgressRows.PAUSED, null);
        log.info("[{}] backfill of {} paused after {} rows", request.migrationId(), request.table(),
            current().rowsScanned());
        return chunk(current(), scannedHere, chunkStarted, null, BackfillChunk.End.PAUSED);
      }
      Throttle.Reading reading = read(throttle::read);
      database.metrics().throttleReading(pass, Duration.ofMillis(reading.lagMillis()), reading.lockWaiters());
      throttledBecause = reading.reason();
      if (throttledBecause != null) {
        setStatus(ProgressRows.RUNNING, throttledBecause);
        if (System.nanoTime() > deadline) {
          return chunk(current(), scannedHere, chunkStarted, throttledBecause, BackfillChunk.End.TIME_UP);
        }
        Heartbeat.sleep(THROTTLE_RECHECK, cursor);
        continue;
      }

      int size = sizer.next(control.batchSize());
      long batchStarted = System.nanoTime();
      BatchOutcome outcome;
      try {
        List<String> after = cursor;
        List<String> until = stop;
        outcome = database.runner().run(context("backfill a batch of"),
            c -> runBatch(c, table, after, until, size));
        lockTimeoutsInARow = 0;
      } catch (ApplicationFailure failure) {
        if (!ZdmFailures.LOCK_TIMEOUT.equals(failure.getType())
            || ++lockTimeoutsInARow > MAX_LOCK_TIMEOUTS_IN_A_ROW) {
          throw failure;
        }
        // Application transactions hold rows of this range: retry smaller, after a pause.
        sizer.lockTimedOut();
        Heartbeat.sleep(THROTTLE_RECHECK.multipliedBy(lockTimeoutsInARow), cursor);
        continue;
      }
      if (outcome.range().rows() == 0 && request.upToPercent() == 100) {
        List<String> reached = stop;
        List<String> newEnd = read(c -> table.pendingAfter(c, reached) ? table.lastKey(c) : null);
        if (newEnd != null) {
          stop = newEnd;
          database.runner().run(context("extend the pass over"), c -> {
            progress.recordStop(c, request, newEnd);
            return null;
          });
          continue;
        }
      }
      if (outcome.range().rows() == 0) {
        boolean limited = request.upToPercent() < 100;
        if (!limited) {
          List<String> last = cursor;
          database.runner().run(context("finish the pass over"), c -> {
            table.finish(c, last);
            return null;
          });
        }
        setStatus(limited ? ProgressRows.PAUSED : ProgressRows.COMPLETED, null);
        log.info("[{}] backfill of {} {}", request.migrationId(), request.table(),
            limited ? "reached " + request.upToPercent() + " % of the key range" : "finished");
        return chunk(current(), scannedHere, chunkStarted, null,
            limited ? BackfillChunk.End.REACHED_LIMIT : BackfillChunk.End.FINISHED);
      }
      long batchNanos = System.nanoTime() - batchStarted;
      database.metrics().batchRan(pass, Duration.ofNanos(batchNanos));
      long batchMillis = batchNanos / 1_000_000;
      sizer.observe((int) outcome.range().rows(), batchMillis);
      cursor = outcome.range().last();
      scannedHere += outcome.range().rows();
      Heartbeat.beat(cursor);
      listener.afterBatch(request, ++batchNumber);
      if (System.nanoTime() > deadline) {
        return chunk(current(), scannedHere, chunkStarted, null, BackfillChunk.End.TIME_UP);
      }
      if (delayMs > 0) {
        Heartbeat.sleep(Duration.ofMillis(delayMs), cursor);
      }
    }
  }

  /** The rows a batch covered and changed. */
  private record BatchOutcome(BackfillTable.Range range, long changed) {}

  private BatchOutcome runBatch(
      Connection connection, BackfillTable table, List<String> after, List<String> stop, int size)
      throws SQLException {
    BackfillTable.Range range = table.nextRange(connection, after, stop, size);
    if (range.rows() == 0) {
      return new BatchOutcome(range, 0);
    }
    long changed = table.apply(connection, after, range.last());
    progress.recordBatch(connection, request, range.rows(), changed, range.last(), size);
    return new BatchOutcome(range, changed);
  }

  private BackfillTable describe(Connection connection) throws SQLException {
    return BackfillTable.describe(connection, request);
  }

  /**
   * Before the first batch: an UPDATE that PostgreSQL would refuse on legacy rows breaking a NOT
   * VALID check fails the batch that reaches them, after the batches before it committed. Tried
   * on those rows now, in a transaction rolled back; a lock it cannot get in time skips the try.
   */
  private void refuseAnUpdateThatWouldFail(BatchChange.UpdateRows update) {
    Optional<String> failure;
    try (Connection connection = database.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement()) {
        statement.execute("SET LOCAL lock_timeout = " + Math.max(1, request.lockTimeout().toMillis()));
        failure = ViolatedChecks.updateFailure(connection, request.table(), update.set(), update.pending());
      } finally {
        connection.rollback();
      }
    } catch (SQLException e) {
      log.warn("[{}] could not try the UPDATE on the rows breaking a NOT VALID check of {} first: {}",
          request.migrationId(), request.table(), e.getMessage());
      return;
    }
    if (failure.isPresent()) {
      throw ApplicationFailure.newNonRetryableFailure("[" + request.migrationId() + "] batched UPDATE of "
          + request.table() + " refused before its first batch: on the legacy rows it would change that break"
          + " a NOT VALID CHECK, PostgreSQL says \"" + failure.get() + "\" (it checks every CHECK on every"
          + " row an UPDATE writes). Make the SET fix those rows, leave them out of the WHERE, or fix them"
          + " first. Nothing was changed.", ZdmFailures.INVALID_MIGRATION);
    }
  }

  /** Creates the progress row on the first call; fixes the rollout's stop key once per percentage. */
  private ProgressRows.Row begin(Connection connection, BackfillTable table) throws SQLException {
    if (progress.find(connection, request.migrationId(), request.step()).isEmpty()) {
      progress.insert(connection, request, table.rowsTotal(connection), request.settings().batchSize());
    }
    ProgressRows.Row row = progress.find(connection, request.migrationId(), request.step()).orElseThrow();
    if (!Integer.valueOf(request.upToPercent()).equals(row.stopPercentage())) {
      if (request.upToPercent() < 100) {
        long offset = Math.max(0, (row.rowsTotal() * request.upToPercent() + 99) / 100 - 1);
        progress.recordStop(connection, request, table.keyAt(connection, offset));
      } else {
        progress.recordStop(connection, request, table.lastKey(connection));
      }
    }
    if (ProgressRows.PAUSED.equals(row.status())) {
      progress.status(connection, request.migrationId(), request.step(), ProgressRows.RUNNING, null);
    }
    return progress.find(connection, request.migrationId(), request.step()).orElseThrow();
  }

  private void logResume(ProgressRows.Row start) {
    if (start.lastKey() == null) {
      return;
    }
    List<?> heartbeated = Heartbeat.lastDetails(List.class).orElse(null);
    log.info("[{}] backfill of {} resumes after key {} (batch {}, {} rows; last heartbeat {})",
        request.migrationId(), request.table(), start.lastKey(), start.batches(),
        start.rowsScanned(), heartbeated);
  }

  private ProgressRows.Row current() {
    return read(c -> progress.find(c, request.migrationId(), request.step()).orElseThrow());
  }

  private void setStatus(String status, String throttledBecause) {
    database.runner().run(context("record the status of"), c -> {
      progress.status(c, request.migrationId(), request.step(), status, throttledBecause);
      return null;
    });
  }

  private BackfillChunk chunk(
      ProgressRows.Row row, long scannedHere, long chunkStarted, String throttledBecause,
      BackfillChunk.End end) {
    double seconds = chunkStarted == 0 ? 0 : (System.nanoTime() - chunkStarted) / 1e9;
    double rate = seconds > 0 ? scannedHere / seconds : 0;
    BatchControl control = read(c -> controls.read(c, request.migrationId()));
    return new BackfillChunk(
        row.rowsScanned(),
        row.rowsChanged(),
        Math.max(row.rowsTotal(), row.rowsScanned()),
        row.batches(),
        rate,
        row.batchSize() == null ? request.settings().batchSize() : row.batchSize(),
        control.delayMs() == null ? request.settings().delayMs() : control.delayMs(),
        throttledBecause,
        end);
  }

  /** Reads that need no lock_timeout or breaker bookkeeping: the control row, the throttle. */
  private <T> T read(ConnectionWork<T> work) {
    try (Connection connection = database.dataSource().getConnection()) {
      return work.run(connection);
    } catch (SQLException e) {
      throw ApplicationFailure.newFailure(
          "[" + request.migrationId() + "] backfill of " + request.table() + ": " + e.getMessage(),
          "TransientSqlError");
    }
  }

  private StatementContext context(String what) {
    return new StatementContext(
        request.migrationId(),
        what + " " + request.table().displayName() + " (" + request.step() + ")",
        true,
        request.lockTimeout(),
        BATCH_STATEMENT_TIMEOUT,
        CurrentAttempt.number());
  }
}
