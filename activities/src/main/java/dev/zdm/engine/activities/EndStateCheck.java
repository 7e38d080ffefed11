package dev.zdm.engine.activities;

import dev.zdm.analysis.Action;
import dev.zdm.analysis.ActionDetail.ConstraintName;
import dev.zdm.analysis.ActionDetail.Index;
import dev.zdm.analysis.ColumnDefinition;
import dev.zdm.analysis.ConstraintDefinition;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * What one action of a DDL statement leaves in the catalog once it has run, as a query that
 * returns a row when it is so: the column, the table, the valid index on its table, the named
 * constraint on its table, or their absence.
 *
 * @param what for the log, e.g. {@code column users.note}
 */
record EndStateCheck(EndState endState, String what, String query, List<String> parameters) {

  /** Whether the action makes its object or takes it away. */
  enum EndState {
    CREATED,
    DROPPED
  }

  /** The check for an action, or empty when the action is not one the catalog can vouch for. */
  static Optional<EndStateCheck> of(Action action) {
    TableRef table = action.table();
    if (table == null) {
      return Optional.empty();
    }
    return switch (action.kind()) {
      case ADD_COLUMN -> Optional.of(column(EndState.CREATED, table,
          ((ColumnDefinition) action.detail()).name()));
      case DROP_COLUMN -> Optional.of(column(EndState.DROPPED, table, action.column()));
      case CREATE_TABLE, CREATE_PARTITION, CREATE_TABLE_AS -> Optional.of(new EndStateCheck(
          EndState.CREATED, "table " + table.displayName(),
          "SELECT 1 FROM pg_class WHERE oid = to_regclass(?) AND relkind IN ('r', 'p')",
          List.of(Identifiers.quote(table))));
      case DROP_TABLE, DROP_INDEX, DROP_INDEX_CONCURRENTLY -> Optional.of(new EndStateCheck(
          EndState.DROPPED, "no relation " + table.displayName(),
          "SELECT 1 WHERE to_regclass(?) IS NULL", List.of(Identifiers.quote(table))));
      case CREATE_INDEX, CREATE_INDEX_CONCURRENTLY -> index(table, (Index) action.detail(), true);
      case ADD_CONSTRAINT -> constraint(EndState.CREATED, table,
          ((ConstraintDefinition) action.detail()).name());
      case DROP_CONSTRAINT -> constraint(EndState.DROPPED, table,
          ((ConstraintName) action.detail()).name());
      default -> Optional.empty();
    };
  }

  /**
   * The named index on that table with the given validity: a valid one is a finished build, an
   * INVALID one a failed or unfinished concurrent build.
   */
  static Optional<EndStateCheck> index(TableRef table, Index index, boolean valid) {
    if (index.name() == null) {
      return Optional.empty();
    }
    TableRef name = new TableRef(table.schema(), index.name());
    String query = """
        SELECT 1 FROM pg_index
         WHERE indexrelid = to_regclass(?) AND indrelid = to_regclass(?) AND indisvalid = ?::boolean
        """;
    return Optional.of(new EndStateCheck(EndState.CREATED,
        (valid ? "valid" : "INVALID") + " index " + name.displayName(), query,
        List.of(Identifiers.quote(name), Identifiers.quote(table), Boolean.toString(valid))));
  }

  private static EndStateCheck column(EndState endState, TableRef table, String column) {
    String query = """
        SELECT 1 WHERE %s (SELECT 1 FROM pg_attribute
                            WHERE attrelid = to_regclass(?) AND attname = ? AND attnum > 0
                              AND NOT attisdropped)
        """.formatted(endState == EndState.CREATED ? "EXISTS" : "NOT EXISTS");
    return new EndStateCheck(endState,
        (endState == EndState.CREATED ? "column " : "no column ") + table.displayName() + "."
            + column, query, List.of(Identifiers.quote(table), column));
  }

  private static Optional<EndStateCheck> constraint(EndState endState, TableRef table, String name) {
    if (name == null) {
      return Optional.empty();
    }
    String query = """
        SELECT 1 WHERE %s (SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass(?) AND conname = ?)
        """.formatted(endState == EndState.CREATED ? "EXISTS" : "NOT EXISTS");
    return Optional.of(new EndStateCheck(endState,
        (endState == EndState.CREATED ? "constraint " : "no constraint ") + name + " on "
            + table.displayName(), query, List.of(Identifiers.quote(table), name)));
  }

  boolean holds(Connection connection) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(query)) {
      for (int i = 0; i < parameters.size(); i++) {
        statement.setString(i + 1, parameters.get(i));
      }
      try (ResultSet row = statement.executeQuery()) {
        return row.next();
      }
    }
  }
}
