package dev.zdm.engine.backfill;

import dev.zdm.backfill.BackfillRequest;
import dev.zdm.ledger.Ledger;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A pass's row in {@code _migration_progress}: the committed cursor (written in the same
 * transaction as the batch it follows, so a resumed pass starts exactly after the last committed
 * batch) and the counters the guide's monitoring queries read.
 */
final class ProgressRows {
  static final String RUNNING = "running";
  static final String PAUSED = "paused";
  static final String COMPLETED = "completed";

  private final Ledger ledger;

  ProgressRows(Ledger ledger) {
    this.ledger = ledger;
  }

  /** One pass as stored. */
  record Row(
      String status,
      long batches,
      long rowsChanged,
      long rowsScanned,
      long rowsTotal,
      List<String> lastKey,
      Integer batchSize,
      List<String> stopKey,
      Integer stopPercentage) {}

  Optional<Row> find(Connection connection, String migrationId, String step) throws SQLException {
    String sql =
        """
        SELECT status, batches_completed, rows_affected, rows_scanned, COALESCE(rows_total, 0),
               last_key::text[], batch_size, stop_key::text[], stop_percentage
          FROM %s
         WHERE migration_id = ? AND step = ?
        """
            .formatted(table());
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, migrationId);
      statement.setString(2, step);
      try (ResultSet row = statement.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Row(
                row.getString(1),
                row.getLong(2),
                row.getLong(3),
                row.getLong(4),
                row.getLong(5),
                list(row.getArray(6)),
                (Integer) row.getObject(7),
                list(row.getArray(8)),
                (Integer) row.getObject(9)));
      }
    }
  }

  void insert(Connection connection, BackfillRequest request, long rowsTotal, int batchSize)
      throws SQLException {
    String sql =
        """
        INSERT INTO %s (migration_id, step, table_name, status, rows_total, batch_size)
        VALUES (?, ?, ?, 'running', ?, ?)
        ON CONFLICT (migration_id, step) DO NOTHING
        """
            .formatted(table());
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, request.migrationId());
      statement.setString(2, request.step());
      statement.setString(3, request.table().displayName());
      statement.setLong(4, rowsTotal);
      statement.setInt(5, batchSize);
      statement.executeUpdate();
    }
  }

  /** Called inside the batch's own transaction, so the cursor commits with the rows it covers. */
  void recordBatch(
      Connection connection,
      BackfillRequest request,
      long rowsScanned,
      long rowsChanged,
      List<String> lastKey,
      int batchSize)
      throws SQLException {
    String sql =
        """
        UPDATE %s
           SET batches_completed = batches_completed + 1,
               rows_scanned = rows_scanned + ?,
               rows_affected = rows_affected + ?,
               last_key = ?::text[]::text,
               batch_size = ?,
               status = 'running',
               throttled_because = NULL,
               updated_at = now()
         WHERE migration_id = ? AND step = ?
        """
            .formatted(table());
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setLong(1, rowsScanned);
      statement.setLong(2, rowsChanged);
      statement.setArray(3, connection.createArrayOf("text", lastKey.toArray()));
      statement.setInt(4, batchSize);
      statement.setString(5, request.migrationId());
      statement.setString(6, request.step());
      statement.executeUpdate();
    }
  }

  void recordStop(Connection connection, BackfillRequest request, List<String> stopKey)
      throws SQLException {
    String sql =
        """
        UPDATE %s SET stop_key = ?::text[]::text, stop_percentage = ?, updated_at = now()
         WHERE migration_id = ? AND step = ?
        """
            .formatted(table());
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setArray(
          1, stopKey == null ? null : connection.createArrayOf("text", stopKey.toArray()));
      statement.setInt(2, request.upToPercent());
      statement.setString(3, request.migrationId());
      statement.setString(4, request.step());
      statement.executeUpdate();
    }
  }

  /** Sets the status; {@code completed}, {@code failed} and {@code cancelled} also set completed_at. */
  void status(
      Connection connection, String migrationId, String step, String status, String throttledBecause)
      throws SQLException {
    String sql =
        """
        UPDATE %s
           SET status = ?, throttled_because = ?, updated_at = now(),
               completed_at = CASE WHEN ? IN ('completed', 'failed', 'cancelled') THEN now() END
         WHERE migration_id = ? AND step = ?
        """
            .formatted(table());
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, status);
      statement.setString(2, throttledBecause);
      statement.setString(3, status);
      statement.setString(4, migrationId);
      statement.setString(5, step);
      statement.executeUpdate();
    }
  }

  private String table() {
    return ledger.qualified("_migration_progress");
  }

  private static List<String> list(Array array) throws SQLException {
    return array == null ? null : Arrays.asList((String[]) array.getArray());
  }
}
