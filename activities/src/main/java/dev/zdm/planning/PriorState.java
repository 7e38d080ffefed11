package dev.zdm.planning;

import dev.zdm.engine.droptable.TableDependents;
import dev.zdm.model.TableRef;
import java.util.List;
import java.util.Optional;

/**
 * What the planner may learn about the database before the migration runs, so an undo can put
 * back the value a statement replaces. Every answer is empty when it is not known ({@code zdm
 * plan} has no database): the statement is then planned as irreversible, never guessed.
 */
public interface PriorState {

  /** No database to ask: nothing is known. */
  PriorState UNKNOWN = new PriorState() {
    @Override
    public Optional<Prior> columnDefault(TableRef table, String column) {
      return Optional.empty();
    }

    @Override
    public Optional<Prior> comment(TableRef table, String column) {
      return Optional.empty();
    }

    @Override
    public Optional<Boolean> relationExists(TableRef relation) {
      return Optional.empty();
    }

    @Override
    public Optional<Boolean> columnExists(TableRef table, String column) {
      return Optional.empty();
    }

    @Override
    public Optional<Boolean> constraintExists(TableRef table, String name) {
      return Optional.empty();
    }

    @Override
    public Optional<Boolean> columnNullable(TableRef table, String column) {
      return Optional.empty();
    }
  };

  /**
   * A value as it was before the migration.
   *
   * @param value the SQL text (a default expression, a comment), or null when there was none
   */
  record Prior(String value) {}

  /** The column's default expression as PostgreSQL prints it; a column that does not exist yet has none. */
  Optional<Prior> columnDefault(TableRef table, String column);

  /** The comment on the table ({@code column} null) or on one of its columns. */
  Optional<Prior> comment(TableRef table, String column);

  /** Whether a table or index of that name exists. */
  Optional<Boolean> relationExists(TableRef relation);

  Optional<Boolean> columnExists(TableRef table, String column);

  Optional<Boolean> constraintExists(TableRef table, String name);

  /** Whether the column accepts NULL now; empty when it does not exist or cannot be read. */
  Optional<Boolean> columnNullable(TableRef table, String column);

  /**
   * The views and other tables' foreign keys that point at the table (they stop a plain DROP
   * TABLE); empty when not known or the table does not exist.
   */
  default Optional<List<TableDependents.Dependent>> tableDependents(TableRef table) {
    return Optional.empty();
  }

  /**
   * Whether the column is part of the table's primary key: a type change of such a column is
   * rebuilt with blue-green, as dual-write cannot move a key column (decision 0520).
   */
  default Optional<Boolean> inPrimaryKey(TableRef table, String column) {
    return Optional.empty();
  }
}
