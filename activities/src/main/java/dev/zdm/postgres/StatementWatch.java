package dev.zdm.postgres;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCompletionException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the activity of a long statement alive and stoppable. While the activity thread waits in
 * JDBC, a side thread heartbeats the statement's progress (read on another connection); when a
 * heartbeat says the activity was cancelled or is gone (timed out, worker shutting down), it
 * cancels the statement's backend, and the activity fails with that cancellation instead of
 * reporting success. Without it a build that outlives the heartbeat timeout is retried while it
 * still runs, and the retry drops the index the first build is about to finish.
 *
 * <p>Hazard: the backend pid belongs to a pooled connection. The side thread cancels only while
 * the watch is open, and {@link #close()} waits for it, so a pid handed back to the pool is never
 * cancelled.
 */
public final class StatementWatch implements AutoCloseable {
  /** How often progress is read and heartbeated (at most a third of the heartbeat timeout). */
  public static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
  static final Duration MIN_HEARTBEAT_INTERVAL = Duration.ofMillis(100);
  /** How long {@link #close()} waits for a progress read or a cancel under way. */
  static final Duration STOP_WAIT = Duration.ofSeconds(10);
  /** Steps of {@link #sleep}, so a cancellation cuts a wait short. */
  static final Duration SLEEP_STEP = Duration.ofMillis(100);

  private static final Logger log = LoggerFactory.getLogger(StatementWatch.class);

  private final DataSource dataSource;
  private final StatementContext context;
  private final ActivityExecutionContext activity;
  private final int ownPid;
  private final long startedNanos = System.nanoTime();
  private final CountDownLatch stopping = new CountDownLatch(1);
  private final Object cancelLock = new Object();
  private final Thread side;
  private volatile Observed observed;
  private volatile ActivityCompletionException cancellation;
  private boolean closed; // guarded by cancelLock

  /** The backend shown in the details: the statement's own, or one whose work it waits for. */
  private record Observed(int pid, String label) {}

  private StatementWatch(
      DataSource dataSource, StatementContext context, ActivityExecutionContext activity, int ownPid) {
    this.dataSource = dataSource;
    this.context = context;
    this.activity = activity;
    this.ownPid = ownPid;
    this.observed = new Observed(ownPid, null);
    if (activity == null) {
      side = null;
      return;
    }
    side = new Thread(this::watch, "zdm-watch-" + ownPid);
    side.setDaemon(true);
    side.start();
  }

  /**
   * Watches the statements about to run on {@code connection}. Outside an activity (tools, tests
   * without Temporal) nothing heartbeats and nothing can cancel, so no thread is started.
   */
  static StatementWatch start(DataSource dataSource, StatementContext context, Connection connection)
      throws SQLException {
    int pid = connection.unwrap(PGConnection.class).getBackendPID();
    return new StatementWatch(dataSource, context, runningActivity(), pid);
  }

  /** The backend the watched statements run on. */
  public int pid() {
    return ownPid;
  }

  /** Reports another backend's progress (a build this step waits for), labelled. */
  public void follow(int pid, String label) {
    observed = new Observed(pid, label);
  }

  /** Reports the step's own backend again. */
  public void followOwn() {
    observed = new Observed(ownPid, null);
  }

  /** Waits, throwing the cancellation as soon as the heartbeat reports one. */
  public void sleep(Duration duration) {
    long end = System.nanoTime() + duration.toNanos();
    throwIfCanceled(null);
    while (System.nanoTime() < end) {
      try {
        Thread.sleep(Math.max(1, Math.min(SLEEP_STEP.toMillis(), (end - System.nanoTime()) / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("[" + context.migrationId() + "] interrupted while "
            + context.description(), e);
      }
      throwIfCanceled(null);
    }
  }

  /**
   * Throws the activity's cancellation if the heartbeat reported one ({@code failure}, when given,
   * is what the cancelled statement threw and is kept as suppressed).
   */
  public void throwIfCanceled(Throwable failure) {
    ActivityCompletionException canceled = cancellation;
    if (canceled == null) {
      return;
    }
    if (failure != null && failure != canceled) {
      canceled.addSuppressed(failure);
    }
    throw canceled;
  }

  private void watch() {
    long interval = interval().toMillis();
    try {
      while (!stopping.await(interval, TimeUnit.MILLISECONDS)) {
        tick();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void tick() {
    if (cancellation == null) {
      StatementProgress progress = progress();
      try {
        activity.heartbeat(progress);
      } catch (ActivityCompletionException e) {
        log.info("[{}] {}: the activity was cancelled or is gone ({}); cancelling backend {}",
            context.migrationId(), context.description(), e.getClass().getSimpleName(), ownPid);
        cancellation = e;
      } catch (RuntimeException e) {
        log.warn("[{}] {}: heartbeat failed: {}", context.migrationId(), context.description(), e.toString());
      }
    }
    if (cancellation != null) {
      // Again on every tick: the work may have moved on to its next statement since the last cancel.
      cancelOwnBackend();
    }
  }

  private StatementProgress progress() {
    Observed target = observed;
    String description = target.label() == null ? context.description() : context.description() + ": " + target.label();
    long elapsed = (System.nanoTime() - startedNanos) / 1_000_000;
    try (Connection connection = dataSource.getConnection()) {
      return BackendProgress.read(connection, context.migrationId(), description, target.pid(), elapsed)
          .orElseGet(() -> StatementProgress.unread(context.migrationId(), description, target.pid(), "ended", elapsed));
    } catch (SQLException e) {
      return StatementProgress.unread(context.migrationId(), description, target.pid(), "unknown: " + e.getMessage(), elapsed);
    }
  }

  private void cancelOwnBackend() {
    synchronized (cancelLock) {
      if (closed) {
        return;
      }
      try (Connection connection = dataSource.getConnection();
          PreparedStatement cancel = connection.prepareStatement("SELECT pg_cancel_backend(?)")) {
        cancel.setInt(1, ownPid);
        cancel.execute();
      } catch (SQLException e) {
        log.warn("[{}] {}: cannot cancel backend {}: {}", context.migrationId(), context.description(), ownPid, e.getMessage());
      }
    }
  }

  private Duration interval() {
    Duration timeout = activity.getInfo().getHeartbeatTimeout();
    if (timeout == null || timeout.isZero() || timeout.isNegative()) {
      return HEARTBEAT_INTERVAL;
    }
    Duration third = timeout.dividedBy(3);
    if (third.compareTo(HEARTBEAT_INTERVAL) >= 0) {
      return HEARTBEAT_INTERVAL;
    }
    return third.compareTo(MIN_HEARTBEAT_INTERVAL) < 0 ? MIN_HEARTBEAT_INTERVAL : third;
  }

  /** Stops the side thread; afterwards the backend is never cancelled on this watch's behalf. */
  @Override
  public void close() {
    synchronized (cancelLock) {
      closed = true;
    }
    stopping.countDown();
    if (side != null && side != Thread.currentThread()) {
      try {
        side.join(STOP_WAIT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static ActivityExecutionContext runningActivity() {
    try {
      return Activity.getExecutionContext();
    } catch (IllegalStateException | NullPointerException notInActivity) {
      return null;
    }
  }
}
