package dev.zdm.analysis;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.model.TableRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Table sizes on the target database from statistics only ({@code pg_class.reltuples},
 * {@code pg_relation_size}): never a scan, and under short timeouts so a table locked by someone
 * else is reported as unknown instead of making zdm wait in its lock queue.
 */
public final class TableStatistics {
  /** pg_relation_size takes ACCESS SHARE on the table: give up rather than queue. */
  static final String LOCK_TIMEOUT = "200ms";
  static final String STATEMENT_TIMEOUT = "2s";
  private static final Set<String> GAVE_UP = Set.of("55P03", "57014");

  private static final String TABLE_SIZE = """
      SELECT greatest(c.reltuples, 0)::bigint AS row_estimate,
             pg_relation_size(c.oid) AS heap_bytes,
             pg_total_relation_size(c.oid) AS total_bytes
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p', 'm')
      """;

  /** One table's size as the catalog states it. */
  record TableSize(long rows, long heapBytes, long totalBytes) {}

  private final Connection connection;
  private final Map<TableRef, Optional<TableSize>> sizes = new HashMap<>();

  /** @param connection in autocommit mode; each read runs in a short transaction of its own */
  public TableStatistics(Connection connection) {
    this.connection = connection;
  }

  /** The table's size, or empty when it does not exist there or its statistics were not readable in time. */
  Optional<TableSize> size(TableRef table) {
    return sizes.computeIfAbsent(table, this::read);
  }

  private Optional<TableSize> read(TableRef table) {
    try {
      if (!connection.getAutoCommit()) {
        throw new IllegalStateException("TableStatistics reads in transactions of its own: it"
            + " needs a connection in autocommit mode");
      }
      // Timeouts local to this read's own transaction: the session may be shared (the rates
      // sample of zdm analyze --database-url runs on it) and keeps its own settings.
      connection.setAutoCommit(false);
      try {
        return read(table, connection);
      } finally {
        connection.rollback();
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      if (GAVE_UP.contains(e.getSQLState())) {
        return Optional.empty();
      }
      throw new ZdmException(ErrorCode.UNREACHABLE, "zdm analyze: reading the size of "
          + table.displayName() + " failed (" + e.getSQLState() + ": " + e.getMessage() + ")",
          null, e);
    }
  }

  private static Optional<TableSize> read(TableRef table, Connection connection)
      throws SQLException {
    try (Statement settings = connection.createStatement()) {
      settings.execute("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT + "'");
      settings.execute("SET LOCAL statement_timeout = '" + STATEMENT_TIMEOUT + "'");
    }
    try (PreparedStatement statement = connection.prepareStatement(TABLE_SIZE)) {
      statement.setString(1, table.schema());
      statement.setString(2, table.name());
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        return Optional.of(new TableSize(rows.getLong(1), rows.getLong(2), rows.getLong(3)));
      }
    }
  }
}
