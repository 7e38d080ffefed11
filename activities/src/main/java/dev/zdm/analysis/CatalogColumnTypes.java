package dev.zdm.analysis;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.model.TableRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Current column types read from the target database's catalog, so that an ALTER COLUMN TYPE in
 * a single migration file is judged against the real type (varchar(20) to varchar(50) is a
 * catalog-only change; integer to bigint rewrites). One query per table, cached for the run.
 */
public final class CatalogColumnTypes implements ColumnTypeSource {
  private static final String COLUMNS = """
      SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped
      """;

  private static final String RELKIND = """
      SELECT c.relkind = 'p'
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = ? AND c.relname = ?
      """;

  private static final String INDEXED = """
      SELECT EXISTS (
        SELECT 1 FROM pg_index i
          JOIN pg_class c ON c.oid = i.indrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
         WHERE n.nspname = ? AND c.relname = ? AND a.attname = ?)
      """;

  private final Connection connection;
  private final Map<TableRef, Map<String, String>> tables = new HashMap<>();
  private final java.util.Set<String> notNull = new java.util.HashSet<>();

  public CatalogColumnTypes(Connection connection) {
    this.connection = connection;
  }

  @Override
  public Optional<String> typeOf(TableRef table, String column) {
    return Optional.ofNullable(tables.computeIfAbsent(table, this::read).get(column));
  }

  @Override
  public boolean isNotNull(TableRef table, String column) {
    tables.computeIfAbsent(table, this::read);
    return notNull.contains(table + "\u0000" + column);
  }

  @Override
  public Optional<Boolean> isIndexed(TableRef table, String column) {
    try (PreparedStatement statement = connection.prepareStatement(INDEXED)) {
      statement.setString(1, table.schema());
      statement.setString(2, table.name());
      statement.setString(3, column);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return Optional.of(rows.getBoolean(1));
      }
    } catch (SQLException e) {
      throw new ZdmException(ErrorCode.UNREACHABLE, "zdm analyze: reading the indexes of "
          + table.displayName() + " failed (" + e.getSQLState() + ": " + e.getMessage() + ")",
          null, e);
    }
  }

  @Override
  public Optional<Boolean> isPartitioned(TableRef table) {
    try (PreparedStatement statement = connection.prepareStatement(RELKIND)) {
      statement.setString(1, table.schema());
      statement.setString(2, table.name());
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? Optional.of(rows.getBoolean(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new ZdmException(ErrorCode.UNREACHABLE, "zdm analyze: reading the kind of "
          + table.displayName() + " failed (" + e.getSQLState() + ": " + e.getMessage() + ")",
          null, e);
    }
  }

  private Map<String, String> read(TableRef table) {
    Map<String, String> columns = new HashMap<>();
    try (PreparedStatement statement = connection.prepareStatement(COLUMNS)) {
      statement.setString(1, table.schema());
      statement.setString(2, table.name());
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          columns.put(rows.getString(1), rows.getString(2));
          if (rows.getBoolean(3)) {
            notNull.add(table + "\u0000" + rows.getString(1));
          }
        }
      }
      return columns;
    } catch (SQLException e) {
      throw new ZdmException(ErrorCode.UNREACHABLE, "zdm analyze: reading the columns of "
          + table.displayName() + " failed (" + e.getSQLState() + ": " + e.getMessage() + ")",
          null, e);
    }
  }
}
