package dev.zdm.postgres;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.ledger.CircuitBreaker;
import dev.zdm.metrics.ZdmMetrics;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DDL runner every strategy uses. Each piece of work gets lock_timeout and statement_timeout
 * (and row_security off, so no row is ever silently hidden from it);
 * CONCURRENTLY work runs outside a transaction, without lock_timeout (see decision 0006: it only
 * takes SHARE UPDATE EXCLUSIVE, which never blocks reads or writes, and PostgreSQL applies
 * lock_timeout to its waits for older transactions too); the circuit breaker is consulted before
 * and told the outcome after. Failures come out as Temporal ApplicationFailures typed by {@link
 * ZdmFailures}, so the retry policy and the workflows can tell a lock timeout from a refusal.
 */
public final class StatementRunner {
  private static final Logger log = LoggerFactory.getLogger(StatementRunner.class);

  private final DataSource dataSource;
  private final CircuitBreaker breaker;
  private final ZdmMetrics metrics;

  public StatementRunner(DataSource dataSource, CircuitBreaker breaker, ZdmMetrics metrics) {
    this.dataSource = dataSource;
    this.breaker = breaker;
    this.metrics = metrics;
  }

  public void execute(StatementContext context, String sql) {
    run(
        context,
        connection -> {
          executeAll(connection, sql);
          return null;
        });
  }

  /** Plain statements, in order, on a connection the runner has prepared (inside {@link #run}). */
  public static void executeAll(Connection connection, String... statements) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  /**
   * Work that may run longer than a heartbeat timeout (index builds, validations, full-table
   * scans): run like {@link #run}, under a {@link StatementWatch} that heartbeats its progress and
   * cancels its backend when the activity is cancelled. A cancelled step throws the activity's
   * cancellation, never a result, even when its statement finished meanwhile.
   */
  public <T> T runWatched(StatementContext context, WatchedWork<T> work) {
    return run(context, connection -> {
      StatementWatch watch = StatementWatch.start(dataSource, context, connection);
      T result;
      try {
        result = work.run(connection, watch);
      } catch (SQLException | RuntimeException e) {
        watch.close();
        watch.throwIfCanceled(e);
        throw e;
      } finally {
        watch.close();
      }
      watch.throwIfCanceled(null);
      return result;
    });
  }

  public <T> T run(StatementContext context, ConnectionWork<T> work) {
    try (Connection connection = dataSource.getConnection()) {
      if (breaker.isOpen(connection)) {
        metrics.breakerState(true);
        throw ApplicationFailure.newNonRetryableFailure(
            "[" + context.migrationId() + "] circuit breaker '" + breaker.name()
                + "' is open: " + context.description() + " waits for `zdm breaker reset`",
            ZdmFailures.BREAKER_OPEN);
      }
      metrics.breakerState(false);
      try {
        T result = runWithTimeouts(connection, context, work);
        metrics.statementRun("ok");
        breaker.record(connection, true, null);
        return result;
      } catch (SQLException e) {
        throw failed(connection, context, e);
      }
    } catch (SQLException e) {
      // No connection (PostgreSQL down, restarting, the pool timed out): nothing ran, so the
      // breaker is not told; said here because the retry is otherwise silent.
      ApplicationFailure failure = SqlFailures.toFailure(context, e);
      log.warn("{}", failure.getOriginalMessage());
      throw failure;
    }
  }

  private ApplicationFailure failed(Connection connection, StatementContext context, SQLException e) {
    ApplicationFailure failure = SqlFailures.toFailure(context, e);
    if (SqlFailures.isLockTimeout(e)) {
      // Lock timeouts are contention, not faults: retried with backoff, they do not trip the breaker.
      metrics.statementRun("lock_timeout");
      metrics.lockTimeoutRetried(context.migrationId());
      log.info("{}", failure.getOriginalMessage());
      return failure;
    }
    metrics.statementRun(failure.isNonRetryable() ? "refused" : "failed");
    log.warn("{}", failure.getOriginalMessage());
    if (SqlFailures.isConnectionFailure(e)) {
      // The server went away under the statement (a restart, a failover): not a fault of the
      // migration, and its connection is gone anyway. Counting it would leave the breaker open
      // after PostgreSQL is back, until someone resets it (decision 0420).
      return failure;
    }
    try {
      String state = breaker.record(connection, false, failure.getOriginalMessage());
      metrics.breakerState("open".equals(state));
    } catch (SQLException recordFailure) {
      log.warn("[{}] could not record the failure on the circuit breaker: {}",
          context.migrationId(), recordFailure.getMessage());
    }
    return failure;
  }

  private static <T> T runWithTimeouts(
      Connection connection, StatementContext context, ConnectionWork<T> work) throws SQLException {
    if (!context.transactional()) {
      connection.setAutoCommit(true);
      setTimeouts(connection, context.withoutLockTimeout(), "SET");
      try {
        return work.run(connection);
      } finally {
        resetTimeouts(connection);
      }
    }
    connection.setAutoCommit(false);
    try {
      setTimeouts(connection, context, "SET LOCAL");
      T result = work.run(connection);
      connection.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      try {
        connection.rollback();
      } catch (SQLException rollbackFailed) {
        // The connection died with the statement (a restart): the server rolled back already,
        // and the statement's own error says what happened, not "this connection has been closed".
        e.addSuppressed(rollbackFailed);
      }
      throw e;
    } finally {
      if (!connection.isClosed()) {
        connection.setAutoCommit(true);
      }
    }
  }

  private static void setTimeouts(Connection connection, StatementContext context, String set)
      throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(set + " lock_timeout = " + millis(context.lockTimeout()));
      statement.execute(set + " statement_timeout = " + millis(context.statementTimeout()));
      // A role that row-level security applies to (FORCE ROW LEVEL SECURITY, or not the owner)
      // would silently see fewer rows: a copy, backfill or check would then miss some and still
      // report done. Off, PostgreSQL refuses such a query instead of filtering it.
      statement.execute(set + " row_security = off");
    }
  }

  private static void resetTimeouts(Connection connection) throws SQLException {
    if (connection.isClosed()) {
      return;
    }
    try (Statement statement = connection.createStatement()) {
      statement.execute("RESET lock_timeout");
      statement.execute("RESET statement_timeout");
      statement.execute("RESET row_security");
    }
  }

  /** A duration as a quoted milliseconds literal; 0 disables the timeout in PostgreSQL. */
  private static String millis(Duration duration) {
    return "'" + Math.max(0, duration.toMillis()) + "ms'";
  }
}
