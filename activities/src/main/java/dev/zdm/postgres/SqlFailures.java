package dev.zdm.postgres;

import dev.zdm.activities.ZdmFailures;
import io.temporal.failure.ApplicationFailure;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Decides what a PostgreSQL error means for the workflow: wait and retry (lock timeout,
 * serialization, lost connection), or stop with a message a person can act on.
 */
public final class SqlFailures {
  public static final String LOCK_NOT_AVAILABLE = "55P03";
  public static final String QUERY_CANCELED = "57014";
  public static final Duration LOCK_RETRY_BASE_DELAY = Duration.ofMillis(500);
  public static final Duration LOCK_RETRY_MAX_DELAY = Duration.ofSeconds(30);

  private SqlFailures() {}

  public static boolean isLockTimeout(SQLException e) {
    return LOCK_NOT_AVAILABLE.equals(e.getSQLState());
  }

  /**
   * The server went away or is not taking connections yet (class 08, or 57P01-57P03: shut down,
   * crashed, still starting): a restart or failover, not something the migration did. Retried
   * like any transient error, and never counted by the circuit breaker (decision 0420).
   */
  public static boolean isConnectionFailure(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.startsWith("08") || state.startsWith("57P0"));
  }

  /** Errors worth trying again: the same statement may succeed a moment later. */
  public static boolean isTransient(SQLException e) {
    String state = e.getSQLState();
    if (state == null) {
      return true;
    }
    return state.equals(LOCK_NOT_AVAILABLE)
        || state.equals(QUERY_CANCELED)
        || state.startsWith("08") // connection exceptions
        || state.startsWith("53") // insufficient resources
        || state.startsWith("57P") // admin shutdown, crash shutdown, cannot connect now
        || state.equals("40001") // serialization failure
        || state.equals("40P01"); // deadlock detected
  }

  public static ApplicationFailure toFailure(StatementContext context, SQLException e) {
    String where = "[" + context.migrationId() + "] " + context.description();
    if (isLockTimeout(e)) {
      return ApplicationFailure.newBuilder()
          .setType(ZdmFailures.LOCK_TIMEOUT)
          .setMessage(
              where
                  + ": lock not granted within lock_timeout "
                  + context.lockTimeout().toMillis()
                  + " ms (attempt "
                  + context.attempt()
                  + "); another session holds a conflicting lock, retrying")
          .setNextRetryDelay(lockRetryDelay(context.attempt()))
          .build();
    }
    String detail = e.getMessage() + " (SQLSTATE " + e.getSQLState() + ")";
    if (isConnectionFailure(e)) {
      return ApplicationFailure.newFailure(
          where + ": connection to PostgreSQL failed: " + detail
              + "; retrying once it answers (a restart does not count against the circuit breaker)",
          ZdmFailures.CONNECTION_FAILED);
    }
    if (isTransient(e)) {
      return ApplicationFailure.newFailure(where + ": " + detail + "; retrying", "TransientSqlError");
    }
    return ApplicationFailure.newNonRetryableFailure(
        where + " was refused by PostgreSQL: " + detail, ZdmFailures.SQL_REFUSED);
  }

  /** Exponential backoff with full jitter, so retrying workers do not line up on the lock. */
  static Duration lockRetryDelay(int attempt) {
    long ceiling =
        Math.min(
            LOCK_RETRY_MAX_DELAY.toMillis(),
            LOCK_RETRY_BASE_DELAY.toMillis() << Math.min(Math.max(attempt - 1, 0), 10));
    long jittered = ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1);
    return Duration.ofMillis(jittered);
  }
}
