package dev.zdm.engine.expandcontract;

import dev.zdm.expandcontract.Deprecation;
import dev.zdm.expandcontract.ExpandContractRequest;
import dev.zdm.ledger.Ledger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

/** Rows of {@code _migration_deprecations} for one expand-contract run. */
final class Deprecations {
  private final Ledger ledger;

  Deprecations(Ledger ledger) {
    this.ledger = ledger;
  }

  /** The row as stored, with the comment the column had before zdm marked it. */
  record Row(Deprecation deprecation, String previousComment) {}

  Optional<Row> find(Connection connection, ExpandContractRequest request) throws SQLException {
    String sql =
        """
        SELECT deprecated_at, removal_date, status = 'removed', previous_comment
          FROM %s
         WHERE migration_id = ? AND table_schema = ? AND table_name = ? AND column_name = ?
        """
            .formatted(ledger.qualified("_migration_deprecations"));
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      bindKey(statement, 1, request);
      try (ResultSet row = statement.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Row(
                new Deprecation(
                    row.getTimestamp(1).getTime(), row.getTimestamp(2).getTime(), row.getBoolean(3)),
                row.getString(4)));
      }
    }
  }

  Deprecation insert(
      Connection connection, ExpandContractRequest request, String reason, String previousComment)
      throws SQLException {
    String sql =
        """
        INSERT INTO %s (migration_id, table_schema, table_name, column_name, reason,
                        previous_comment, removal_date)
        VALUES (?, ?, ?, ?, ?, ?, now() + make_interval(secs => ?))
        RETURNING deprecated_at, removal_date
        """
            .formatted(ledger.qualified("_migration_deprecations"));
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      int next = bindKey(statement, 1, request);
      statement.setString(next++, reason);
      statement.setString(next++, previousComment);
      statement.setDouble(next, seconds(request.options().removalAfter()));
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        return new Deprecation(row.getTimestamp(1).getTime(), row.getTimestamp(2).getTime(), false);
      }
    }
  }

  void delete(Connection connection, ExpandContractRequest request) throws SQLException {
    String sql =
        """
        DELETE FROM %s
         WHERE migration_id = ? AND table_schema = ? AND table_name = ? AND column_name = ?
           AND status = 'deprecated'
        """
            .formatted(ledger.qualified("_migration_deprecations"));
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      bindKey(statement, 1, request);
      statement.executeUpdate();
    }
  }

  void markRemoved(Connection connection, ExpandContractRequest request, String archiveTable)
      throws SQLException {
    String sql =
        """
        UPDATE %s SET status = 'removed', removed_at = now(), archive_table = ?
         WHERE migration_id = ? AND table_schema = ? AND table_name = ? AND column_name = ?
        """
            .formatted(ledger.qualified("_migration_deprecations"));
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, archiveTable);
      bindKey(statement, 2, request);
      statement.executeUpdate();
    }
  }

  private static int bindKey(PreparedStatement statement, int first, ExpandContractRequest request)
      throws SQLException {
    statement.setString(first, request.migrationId());
    statement.setString(first + 1, request.table().schema());
    statement.setString(first + 2, request.table().name());
    statement.setString(first + 3, request.column());
    return first + 4;
  }

  private static double seconds(Duration duration) {
    return duration.toMillis() / 1000.0;
  }
}
