package dev.zdm.planning;

import dev.zdm.engine.droptable.TableDependents;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * {@link PriorState} read from pg_catalog at planning time ({@code zdm start} plans on a worker
 * with the target database at hand). A question the catalog cannot answer (an error) is unknown,
 * so the statement it was for stays irreversible rather than getting a wrong undo.
 */
public final class CatalogPriorState implements PriorState {
  private final Connection connection;

  public CatalogPriorState(Connection connection) {
    this.connection = connection;
  }

  @Override
  public Optional<Prior> columnDefault(TableRef table, String column) {
    String sql =
        """
        SELECT pg_get_expr(d.adbin, d.adrelid)
          FROM pg_attribute a
          LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE a.attrelid = to_regclass(?) AND a.attname = ? AND a.attnum > 0
           AND NOT a.attisdropped
        """;
    return value(sql, Identifiers.quote(table), column);
  }

  @Override
  public Optional<Prior> comment(TableRef table, String column) {
    if (column == null) {
      return value("SELECT obj_description(to_regclass(?), 'pg_class')", Identifiers.quote(table));
    }
    String sql =
        """
        SELECT col_description(a.attrelid, a.attnum)
          FROM pg_attribute a
         WHERE a.attrelid = to_regclass(?) AND a.attname = ? AND a.attnum > 0
           AND NOT a.attisdropped
        """;
    return value(sql, Identifiers.quote(table), column);
  }

  @Override
  public Optional<Boolean> relationExists(TableRef relation) {
    return exists("SELECT 1 WHERE to_regclass(?) IS NOT NULL", Identifiers.quote(relation));
  }

  @Override
  public Optional<Boolean> columnExists(TableRef table, String column) {
    String sql =
        """
        SELECT 1 FROM pg_attribute
         WHERE attrelid = to_regclass(?) AND attname = ? AND attnum > 0 AND NOT attisdropped
        """;
    return exists(sql, Identifiers.quote(table), column);
  }

  @Override
  public Optional<Boolean> constraintExists(TableRef table, String name) {
    return exists("SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass(?) AND conname = ?",
        Identifiers.quote(table), name);
  }

  @Override
  public Optional<Boolean> inPrimaryKey(TableRef table, String column) {
    String sql =
        """
        SELECT 1 FROM pg_index i
          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
         WHERE i.indrelid = to_regclass(?) AND i.indisprimary AND a.attname = ?
        """;
    return exists(sql, Identifiers.quote(table), column);
  }

  @Override
  public Optional<Boolean> columnNullable(TableRef table, String column) {
    String sql =
        """
        SELECT NOT attnotnull FROM pg_attribute
         WHERE attrelid = to_regclass(?) AND attname = ? AND attnum > 0 AND NOT attisdropped
        """;
    try (PreparedStatement statement = prepare(sql, Identifiers.quote(table), column);
        ResultSet row = statement.executeQuery()) {
      return row.next() ? Optional.of(row.getBoolean(1)) : Optional.empty();
    } catch (SQLException unreadable) {
      return Optional.empty();
    }
  }

  @Override
  public Optional<List<TableDependents.Dependent>> tableDependents(TableRef table) {
    try (PreparedStatement statement = prepare("SELECT to_regclass(?)::oid", Identifiers.quote(table));
        ResultSet row = statement.executeQuery()) {
      if (!row.next() || row.getObject(1) == null) {
        return Optional.empty();
      }
      return Optional.of(TableDependents.of(connection, row.getLong(1)));
    } catch (SQLException unreadable) {
      return Optional.empty();
    }
  }

  /** The single value the query returns (null inside when none); no row: nothing to restore. */
  private Optional<Prior> value(String sql, String... parameters) {
    try (PreparedStatement statement = prepare(sql, parameters);
        ResultSet row = statement.executeQuery()) {
      return Optional.of(new Prior(row.next() ? row.getString(1) : null));
    } catch (SQLException unreadable) {
      return Optional.empty();
    }
  }

  private Optional<Boolean> exists(String sql, String... parameters) {
    try (PreparedStatement statement = prepare(sql, parameters);
        ResultSet row = statement.executeQuery()) {
      return Optional.of(row.next());
    } catch (SQLException unreadable) {
      return Optional.empty();
    }
  }

  private PreparedStatement prepare(String sql, String... parameters) throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    for (int i = 0; i < parameters.length; i++) {
      statement.setString(i + 1, parameters[i]);
    }
    return statement;
  }
}
