package dev.zdm.analysis;

import dev.zdm.analysis.ActionDetail.ConstraintName;
import dev.zdm.analysis.ActionDetail.Index;
import dev.zdm.analysis.ActionDetail.Partition;
import dev.zdm.analysis.ActionDetail.TableDefinition;
import dev.zdm.model.TableRef;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What earlier statements of the same file established, which changes how later ones are judged:
 * tables created here (empty, unused by the running application), a lock_timeout, an open
 * transaction block, validated NOT NULL checks, indexes built concurrently.
 */
final class FileContext {
  private record NamedConstraint(TableRef table, String name) {}

  private final Set<TableRef> createdTables = new HashSet<>();
  private final Map<NamedConstraint, String> notValidNotNullChecks = new HashMap<>();
  private final Set<String> validatedNotNull = new HashSet<>();
  private final Set<TableRef> validatedChecks = new HashSet<>();
  private final Set<String> concurrentIndexes = new HashSet<>();
  private boolean lockTimeoutSet;
  private boolean inTransactionBlock;
  private int doBlockDepth;

  boolean createdHere(TableRef table) {
    return table != null && createdTables.contains(table);
  }

  boolean lockTimeoutSet() {
    return lockTimeoutSet;
  }

  /** Inside BEGIN ... COMMIT, or inside a DO block (which always runs as one transaction). */
  boolean inTransactionBlock() {
    return inTransactionBlock || doBlockDepth > 0;
  }

  void enterDoBlock() {
    doBlockDepth++;
  }

  void leaveDoBlock() {
    doBlockDepth--;
  }

  boolean hasValidatedNotNull(TableRef table, String column) {
    return validatedNotNull.contains(key(table, column));
  }

  boolean hasValidatedCheck(TableRef table) {
    return validatedChecks.contains(table);
  }

  boolean builtConcurrently(String index) {
    return concurrentIndexes.contains(index);
  }

  /** Records what the action establishes, after it has been judged. */
  void after(Action action, ColumnTypes columnTypes) {
    TableRef table = action.table();
    switch (action.kind()) {
      case CREATE_TABLE -> {
        createdTables.add(table);
        columnTypes.forgetTable(table);
        for (ColumnDefinition column : ((TableDefinition) action.detail()).columns()) {
          columnTypes.remember(table, column.name(), column.type());
        }
      }
      case CREATE_TABLE_AS, CREATE_PARTITION -> createdTables.add(table);
      case ADD_COLUMN -> {
        ColumnDefinition column = (ColumnDefinition) action.detail();
        columnTypes.remember(table, column.name(), column.type());
      }
      case ALTER_COLUMN_TYPE ->
          columnTypes.remember(table, action.column(),
              ((ActionDetail.TypeChange) action.detail()).newType());
      case ADD_CONSTRAINT -> {
        ConstraintDefinition constraint = (ConstraintDefinition) action.detail();
        if (constraint.type() == ConstraintDefinition.Type.CHECK) {
          if (constraint.notValid()) {
            if (constraint.notNullColumn() != null && constraint.name() != null) {
              notValidNotNullChecks.put(
                  new NamedConstraint(table, constraint.name()), constraint.notNullColumn());
            }
          } else {
            validatedChecks.add(table);
            if (constraint.notNullColumn() != null) {
              validatedNotNull.add(key(table, constraint.notNullColumn()));
            }
          }
        }
      }
      case VALIDATE_CONSTRAINT -> {
        String name = ((ConstraintName) action.detail()).name();
        String column = notValidNotNullChecks.remove(new NamedConstraint(table, name));
        validatedChecks.add(table);
        if (column != null) {
          validatedNotNull.add(key(table, column));
        }
      }
      case CREATE_INDEX_CONCURRENTLY -> {
        String name = ((Index) action.detail()).name();
        if (name != null) {
          concurrentIndexes.add(name);
        }
      }
      case ATTACH_PARTITION -> createdTables.remove(((Partition) action.detail()).other());
      case SET_LOCK_TIMEOUT -> lockTimeoutSet = !isZero(((ActionDetail.Setting) action.detail()).value());
      case TRANSACTION_BEGIN -> inTransactionBlock = true;
      case TRANSACTION_END -> inTransactionBlock = false;
      case RENAME_TABLE -> {
        if (createdTables.remove(table)) {
          createdTables.add(new TableRef(table.schema(),
              ((ActionDetail.NewName) action.detail()).newName()));
        }
      }
      default -> {}
    }
  }

  private static boolean isZero(String value) {
    String v = value.replace("'", "").strip();
    return v.equals("0") || v.equalsIgnoreCase("default");
  }

  private static String key(TableRef table, String column) {
    return table + "\u0000" + column;
  }
}
