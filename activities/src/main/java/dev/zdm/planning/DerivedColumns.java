package dev.zdm.planning;

import dev.zdm.analysis.Action;
import dev.zdm.analysis.ActionDetail.DataChange;
import dev.zdm.analysis.ActionKind;
import dev.zdm.analysis.ColumnDefinition;
import dev.zdm.analysis.SqlToken;
import dev.zdm.analysis.SqlTokenizer;
import dev.zdm.analysis.StatementAnalysis;
import dev.zdm.model.TableRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the derived-column pattern in a file: {@code ADD COLUMN c} (nullable, no default), an
 * {@code UPDATE t SET c = <expression of the row>} after it, and {@code SET NOT NULL} on c after
 * that. Planned statement by statement, the UPDATE is a one-shot backfill that the application's
 * inserts and updates of the source columns overtake, and the NOT NULL fails; as one derived-column
 * step a trigger keeps c right from the moment it exists (docs/decisions/0550).
 */
final class DerivedColumns {
  /**
   * One pattern found: the step replaces the ADD COLUMN, the UPDATE and the SET NOT NULL (by their
   * indexes in the file), or the UPDATE is refused with {@code refusal}.
   */
  record Found(int add, int update, int notNull, TableRef table, ColumnDefinition column,
      String expression, String refusal) {}

  private final Map<Integer, Found> byStatement = new HashMap<>();

  DerivedColumns(List<StatementAnalysis> statements) {
    for (int i = 0; i < statements.size(); i++) {
      Optional<Action> add = only(statements.get(i), ActionKind.ADD_COLUMN);
      if (add.isEmpty() || !(add.get().detail() instanceof ColumnDefinition column) || !plain(column)) {
        continue;
      }
      TableRef table = add.get().table();
      List<Integer> updates = new ArrayList<>();
      int notNull = -1;
      for (int j = i + 1; j < statements.size() && notNull < 0; j++) {
        Optional<Action> update = only(statements.get(j), ActionKind.UPDATE);
        if (update.isPresent() && sameTable(update.get().table(), table)
            && sets(((DataChange) update.get().detail()).setClause(), column.name())) {
          updates.add(j);
        }
        Optional<Action> setNotNull = only(statements.get(j), ActionKind.SET_NOT_NULL);
        if (!updates.isEmpty() && setNotNull.isPresent() && sameTable(setNotNull.get().table(), table)
            && column.name().equals(setNotNull.get().column())) {
          notNull = j;
        }
      }
      if (notNull < 0) {
        continue;
      }
      int update = updates.get(0);
      DataChange change = (DataChange) only(statements.get(update), ActionKind.UPDATE).get().detail();
      String refusal = updates.size() > 1
          ? "several UPDATEs fill " + column.name() + " before its SET NOT NULL: write them as one"
              + " UPDATE ... SET " + column.name() + " = CASE ... END, so zdm can keep the column"
              + " derived by a trigger"
          : whyNotDerived(change, column.name());
      Found found = new Found(i, update, notNull, table, column,
          refusal == null ? SqlFragments.assignments(change.setClause()).orElseThrow().get(0).expression() : null,
          refusal);
      byStatement.put(i, found);
      byStatement.put(update, found);
      byStatement.put(notNull, found);
    }
  }

  /** The pattern the statement at {@code index} belongs to, if any. */
  Optional<Found> at(int index) {
    return Optional.ofNullable(byStatement.get(index));
  }

  /** Why the UPDATE is not a derivation zdm can keep right with a trigger, or null when it is. */
  private static String whyNotDerived(DataChange change, String column) {
    Optional<List<SqlFragments.Assignment>> assignments = SqlFragments.assignments(change.setClause());
    if (assignments.isEmpty() || assignments.get().size() != 1) {
      return "the UPDATE that fills " + column + " sets other columns too: set " + column + " alone in"
          + " its own UPDATE, so it can be kept derived by a trigger";
    }
    String where = change.whereClause();
    if (where != null && !isNullTest(where, column)) {
      return "the UPDATE fills " + column + " only WHERE " + where + ", so the other rows stay NULL"
          + " and the SET NOT NULL after it fails: compute every row's value in the SET (CASE WHEN"
          + " ... END) and drop the WHERE";
    }
    String expression = assignments.get().get(0).expression();
    Optional<String> changing = SqlFragments.whyNoPendingRows(assignments.get());
    if (changing.isPresent()) {
      return changing.get() + "; a derived column must be computed from the row alone";
    }
    boolean subquery = SqlTokenizer.tokenize(expression, 1).stream().anyMatch(token -> token.is("SELECT"));
    if (subquery) {
      return "SET " + column + " = " + expression + " reads other rows or tables, which change without"
          + " the row changing, so no trigger on this table can keep " + column + " right: fill it"
          + " with a batched UPDATE and -- @metadata {\"pending\": \"<condition>\"}, without the"
          + " SET NOT NULL, or compute it in the application";
    }
    return null;
  }

  /** {@code c IS NULL}: the rows the new column still lacks, which is every row, so still a full derivation. */
  private static boolean isNullTest(String where, String column) {
    List<SqlToken> tokens = SqlTokenizer.tokenize(where, 1);
    return tokens.size() == 3 && tokens.get(0).isName() && tokens.get(0).identifier().equals(column)
        && tokens.get(1).is("IS") && tokens.get(2).is("NULL");
  }

  private static boolean sets(String setClause, String column) {
    return SqlFragments.assignments(setClause)
        .map(list -> list.stream().anyMatch(a -> a.column().equals(column)))
        .orElse(false);
  }

  /** A column the steps can re-add by name and type alone: nullable, no default, no constraint. */
  private static boolean plain(ColumnDefinition column) {
    return !column.notNull() && column.defaultExpression() == null && !column.identity()
        && !column.generatedStored() && !column.indexed() && !column.hasCheck()
        && column.referencedTable() == null;
  }

  private static Optional<Action> only(StatementAnalysis statement, ActionKind kind) {
    return statement.findings().size() == 1 && statement.findings().get(0).action().kind() == kind
        ? Optional.of(statement.findings().get(0).action()) : Optional.empty();
  }

  private static boolean sameTable(TableRef a, TableRef b) {
    return a != null && a.equals(b);
  }
}
