package dev.zdm.engine.backfill;

import dev.zdm.backfill.BatchSettings;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.Catalog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Asked before every batch: should the backfill wait? Yes while a standby lags behind (the batch
 * would add to the lag) or while sessions queue for a lock on the table (the batch would hold
 * them up further).
 */
final class Throttle {
  private final BatchSettings settings;
  private final TableRef table;

  Throttle(BatchSettings settings, TableRef table) {
    this.settings = settings;
    this.table = table;
  }

  /** What the throttle saw before one batch; the engine exports it as metrics. */
  record Reading(long lagMillis, int lockWaiters, String reason) {}

  /** Reads the lag and the waiters; the reason is why the next batch must wait, or null. */
  Reading read(Connection connection) throws SQLException {
    long lagMillis = replicationLagMillis(connection);
    int waiters = new Catalog(connection).lockWaiters(table);
    return new Reading(lagMillis, waiters, reason(lagMillis, waiters));
  }

  private String reason(long lagMillis, int waiters) {
    if (lagMillis > settings.maxReplicationLag().toMillis()) {
      return "replication lag " + lagMillis + " ms is above " + settings.maxReplicationLag().toMillis()
          + " ms";
    }
    if (waiters > settings.maxLockWaiters()) {
      return waiters + " session(s) wait for a lock on " + table.displayName();
    }
    return null;
  }

  private static long replicationLagMillis(Connection connection) throws SQLException {
    String sql =
        """
        SELECT COALESCE(max(EXTRACT(EPOCH FROM replay_lag) * 1000), 0)::bigint
          FROM pg_stat_replication
        """;
    try (PreparedStatement statement = connection.prepareStatement(sql);
        ResultSet row = statement.executeQuery()) {
      row.next();
      return row.getLong(1);
    }
  }
}
