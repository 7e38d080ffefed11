package dev.zdm.postgres;

import dev.zdm.model.TableRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Read-only questions about tables and columns, answered from pg_catalog. */
public final class Catalog {
  private final Connection connection;

  public Catalog(Connection connection) {
    this.connection = connection;
  }

  public boolean tableExists(TableRef table) throws SQLException {
    String sql =
        """
        SELECT 1
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')
        """;
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, table.schema());
      statement.setString(2, table.name());
      try (ResultSet row = statement.executeQuery()) {
        return row.next();
      }
    }
  }

  /** Whether any relation (table, index, view, sequence...) of that name is in the schema. */
  public boolean relationExists(String schema, String name) throws SQLException {
    String sql =
        """
        SELECT 1
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ? AND c.relname = ?
        """;
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, schema);
      statement.setString(2, name);
      try (ResultSet row = statement.executeQuery()) {
        return row.next();
      }
    }
  }

  /** The column's type as format_type spells it, or empty when there is no such column. */
  public Optional<String> columnType(TableRef table, String column) throws SQLException {
    String sql =
        """
        SELECT format_type(a.atttypid, a.atttypmod)
          FROM pg_attribute a
          JOIN pg_class c ON c.oid = a.attrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ? AND c.relname = ? AND a.attname = ?
           AND a.attnum > 0 AND NOT a.attisdropped
        """;
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, table.schema());
      statement.setString(2, table.name());
      statement.setString(3, column);
      try (ResultSet row = statement.executeQuery()) {
        return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
      }
    }
  }

  /** True when the column exists and is NOT NULL. */
  public boolean columnNotNull(TableRef table, String column) throws SQLException {
    String sql =
        """
        SELECT a.attnotnull
          FROM pg_attribute a
         WHERE a.attrelid = to_regclass(?) AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped
        """;
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, Identifiers.quote(table));
      statement.setString(2, column);
      try (ResultSet row = statement.executeQuery()) {
        return row.next() && row.getBoolean(1);
      }
    }
  }

  /** Sessions whose lock request on the table itself is not granted (a queue behind DDL, say). */
  public int lockWaiters(TableRef table) throws SQLException {
    String sql =
        """
        SELECT count(*) FROM pg_locks
         WHERE NOT granted AND locktype = 'relation' AND relation = to_regclass(?)
        """;
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, Identifiers.quote(table));
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        return row.getInt(1);
      }
    }
  }

  public boolean triggerExists(TableRef table, String trigger) throws SQLException {
    String sql = "SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass(?) AND tgname = ?";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, Identifiers.quote(table));
      statement.setString(2, trigger);
      try (ResultSet row = statement.executeQuery()) {
        return row.next();
      }
    }
  }

  /** The constraint's validated flag; empty when the table has no constraint of that name. */
  public Optional<Boolean> constraintValidated(TableRef table, String constraint) throws SQLException {
    String sql = "SELECT convalidated FROM pg_constraint WHERE conrelid = to_regclass(?) AND conname = ?";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, Identifiers.quote(table));
      statement.setString(2, constraint);
      try (ResultSet row = statement.executeQuery()) {
        return row.next() ? Optional.of(row.getBoolean(1)) : Optional.empty();
      }
    }
  }

  /** Primary-key columns in key order; empty when the table has no primary key. */
  public List<KeyColumn> primaryKey(TableRef table) throws SQLException {
    String sql =
        """
        SELECT a.attname, format_type(a.atttypid, a.atttypmod)
          FROM pg_index i
          JOIN pg_class c ON c.oid = i.indrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
          JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position) ON true
          JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
         WHERE n.nspname = ? AND c.relname = ? AND i.indisprimary
         ORDER BY k.position
        """;
    List<KeyColumn> columns = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, table.schema());
      statement.setString(2, table.name());
      try (ResultSet row = statement.executeQuery()) {
        while (row.next()) {
          columns.add(new KeyColumn(row.getString(1), row.getString(2)));
        }
      }
    }
    return columns;
  }

  /** The planner's row estimate (reltuples), 0 for a table never analyzed and empty. */
  public long estimatedRows(TableRef table) throws SQLException {
    String sql =
        """
        SELECT GREATEST(c.reltuples, 0)::bigint
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ? AND c.relname = ?
        """;
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, table.schema());
      statement.setString(2, table.name());
      try (ResultSet row = statement.executeQuery()) {
        return row.next() ? row.getLong(1) : 0;
      }
    }
  }

  public Optional<String> columnComment(TableRef table, String column) throws SQLException {
    String sql =
        """
        SELECT col_description(c.oid, a.attnum)
          FROM pg_attribute a
          JOIN pg_class c ON c.oid = a.attrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ? AND c.relname = ? AND a.attname = ? AND NOT a.attisdropped
        """;
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, table.schema());
      statement.setString(2, table.name());
      statement.setString(3, column);
      try (ResultSet row = statement.executeQuery()) {
        return row.next() ? Optional.ofNullable(row.getString(1)) : Optional.empty();
      }
    }
  }

  /**
   * The writable columns (not generated, not dropped) both tables have, in {@code source}'s
   * order; with {@code sameType} only those of the same type and modifier on both sides (whose
   * text then matches row for row).
   */
  public List<String> sharedColumns(TableRef source, TableRef target, boolean sameType)
      throws SQLException {
    String sql =
        """
        SELECT s.attname
          FROM pg_attribute s
          JOIN pg_attribute t ON t.attrelid = to_regclass(?) AND t.attname = s.attname
               AND t.attnum > 0 AND NOT t.attisdropped AND t.attgenerated = ''
         WHERE s.attrelid = to_regclass(?) AND s.attnum > 0 AND NOT s.attisdropped
               AND s.attgenerated = ''
               AND (NOT ? OR (t.atttypid = s.atttypid AND t.atttypmod = s.atttypmod))
         ORDER BY s.attnum
        """;
    List<String> columns = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, Identifiers.quote(target));
      statement.setString(2, Identifiers.quote(source));
      statement.setBoolean(3, sameType);
      try (ResultSet row = statement.executeQuery()) {
        while (row.next()) {
          columns.add(row.getString(1));
        }
      }
    }
    return columns;
  }
}
