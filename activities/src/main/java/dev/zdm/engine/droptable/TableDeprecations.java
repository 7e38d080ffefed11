package dev.zdm.engine.droptable;

import dev.zdm.droptable.DropTableRequest;
import dev.zdm.droptable.TableDeprecation;
import dev.zdm.ledger.Ledger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Rows of {@code _migration_deprecations} for dropped tables: the column is NULL (the ledger's
 * status view already shows them as {@code schema.table}); {@code archive_table} is set while the
 * table is moved aside, so the ledger says where it is.
 */
final class TableDeprecations {
  private final Ledger ledger;

  TableDeprecations(Ledger ledger) {
    this.ledger = ledger;
  }

  /** The row as stored, with the comment the table had before zdm marked it. */
  record Row(TableDeprecation deprecation, String reason, String previousComment, String archiveTable) {}

  Optional<Row> find(Connection connection, DropTableRequest request) throws SQLException {
    String sql =
        """
        SELECT deprecated_at, removal_date, status = 'removed', reason, previous_comment, archive_table
          FROM %s
         WHERE migration_id = ? AND table_schema = ? AND table_name = ? AND column_name IS NULL
        """.formatted(ledger.qualified("_migration_deprecations"));
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      bindKey(statement, 1, request);
      try (ResultSet row = statement.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        TableDeprecation.State state = row.getBoolean(3)
            ? TableDeprecation.State.REMOVED : TableDeprecation.State.DEPRECATED;
        return Optional.of(new Row(
            new TableDeprecation(row.getTimestamp(1).getTime(), row.getTimestamp(2).getTime(), state),
            row.getString(4), row.getString(5), row.getString(6)));
      }
    }
  }

  TableDeprecation insert(Connection connection, DropTableRequest request, String reason, String previousComment)
      throws SQLException {
    String sql =
        """
        INSERT INTO %s (migration_id, table_schema, table_name, column_name, reason,
                        previous_comment, removal_date)
        VALUES (?, ?, ?, NULL, ?, ?, now() + make_interval(secs => ?))
        RETURNING deprecated_at, removal_date
        """.formatted(ledger.qualified("_migration_deprecations"));
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      int next = bindKey(statement, 1, request);
      statement.setString(next++, reason);
      statement.setString(next++, previousComment);
      statement.setDouble(next, request.options().removalAfter().toMillis() / 1000.0);
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        return new TableDeprecation(row.getTimestamp(1).getTime(), row.getTimestamp(2).getTime(),
            TableDeprecation.State.DEPRECATED);
      }
    }
  }

  void delete(Connection connection, DropTableRequest request) throws SQLException {
    run(connection, request, """
        DELETE FROM %s
         WHERE migration_id = ? AND table_schema = ? AND table_name = ? AND column_name IS NULL
           AND status = 'deprecated'
        """);
  }

  /** Where the table is now; null when it is back under its name. */
  void movedTo(Connection connection, DropTableRequest request, String archiveTable) throws SQLException {
    String sql =
        """
        UPDATE %s SET archive_table = ?
         WHERE migration_id = ? AND table_schema = ? AND table_name = ? AND column_name IS NULL
        """.formatted(ledger.qualified("_migration_deprecations"));
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, archiveTable);
      bindKey(statement, 2, request);
      statement.executeUpdate();
    }
  }

  void markRemoved(Connection connection, DropTableRequest request) throws SQLException {
    run(connection, request, """
        UPDATE %s SET status = 'removed', removed_at = now()
         WHERE migration_id = ? AND table_schema = ? AND table_name = ? AND column_name IS NULL
        """);
  }

  /** A statement on this run's row, the ledger table filled in for {@code %s}. */
  private void run(Connection connection, DropTableRequest request, String sql) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(sql.formatted(ledger.qualified("_migration_deprecations")))) {
      bindKey(statement, 1, request);
      statement.executeUpdate();
    }
  }

  private static int bindKey(PreparedStatement statement, int first, DropTableRequest request)
      throws SQLException {
    statement.setString(first, request.migrationId());
    statement.setString(first + 1, request.table().schema());
    statement.setString(first + 2, request.table().name());
    return first + 3;
  }
}
