package dev.zdm.postgres;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads one backend's progress from the statistics views, on a connection other than its own. */
final class BackendProgress {
  private static final String SQL =
      """
      SELECT coalesce(ci.phase, cl.phase,
                      CASE WHEN a.wait_event_type = 'Lock' THEN 'waiting for a lock'
                           WHEN a.state = 'active' THEN 'running'
                           ELSE a.state END),
             a.wait_event_type || ':' || a.wait_event,
             pg_blocking_pids(a.pid),
             coalesce(ci.blocks_done, cl.heap_blks_scanned, 0),
             coalesce(ci.blocks_total, cl.heap_blks_total, 0),
             coalesce(ci.tuples_done, cl.heap_tuples_written, 0),
             coalesce(ci.tuples_total, 0)
        FROM pg_stat_activity a
        LEFT JOIN pg_stat_progress_create_index ci ON ci.pid = a.pid
        LEFT JOIN pg_stat_progress_cluster cl ON cl.pid = a.pid
       WHERE a.pid = ?
      """;

  private BackendProgress() {}

  /** Empty when the backend is gone. */
  static Optional<StatementProgress> read(
      Connection connection, String migrationId, String description, int pid, long elapsedMillis)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(SQL)) {
      statement.setInt(1, pid);
      try (ResultSet row = statement.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        return Optional.of(new StatementProgress(
            migrationId, description, pid, row.getString(1), row.getString(2), pids(row.getArray(3)),
            row.getLong(4), row.getLong(5), row.getLong(6), row.getLong(7), elapsedMillis));
      }
    }
  }

  private static List<Integer> pids(Array array) throws SQLException {
    List<Integer> pids = new ArrayList<>();
    if (array != null) {
      for (Integer pid : (Integer[]) array.getArray()) {
        pids.add(pid);
      }
    }
    return pids;
  }
}
