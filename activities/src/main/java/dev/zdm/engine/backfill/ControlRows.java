package dev.zdm.engine.backfill;

import dev.zdm.backfill.BatchControl;
import dev.zdm.ledger.Ledger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** {@code _migration_control}: the live pause and throttle settings of a migration's backfill. */
final class ControlRows {
  private final Ledger ledger;

  ControlRows(Ledger ledger) {
    this.ledger = ledger;
  }

  /** The row, or a not-paused control with no overrides when there is none. */
  BatchControl read(Connection connection, String migrationId) throws SQLException {
    String sql =
        "SELECT paused, batch_size, delay_ms FROM %s WHERE migration_id = ?".formatted(table());
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, migrationId);
      try (ResultSet row = statement.executeQuery()) {
        if (!row.next()) {
          return new BatchControl(migrationId, false, null, null);
        }
        return new BatchControl(
            migrationId, row.getBoolean(1), (Integer) row.getObject(2), (Integer) row.getObject(3));
      }
    }
  }

  void write(Connection connection, BatchControl control) throws SQLException {
    String sql =
        """
        INSERT INTO %s (migration_id, paused, batch_size, delay_ms) VALUES (?, ?, ?, ?)
        ON CONFLICT (migration_id) DO UPDATE
           SET paused = EXCLUDED.paused, batch_size = EXCLUDED.batch_size,
               delay_ms = EXCLUDED.delay_ms, updated_at = now()
        """
            .formatted(table());
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, control.migrationId());
      statement.setBoolean(2, control.paused());
      statement.setObject(3, control.batchSize(), java.sql.Types.INTEGER);
      statement.setObject(4, control.delayMs(), java.sql.Types.INTEGER);
      statement.executeUpdate();
    }
  }

  void delete(Connection connection, String migrationId) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement("DELETE FROM %s WHERE migration_id = ?".formatted(table()))) {
      statement.setString(1, migrationId);
      statement.executeUpdate();
    }
  }

  private String table() {
    return ledger.qualified("_migration_control");
  }
}
