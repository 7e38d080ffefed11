package dev.zdm.planning;

import dev.zdm.analysis.Action;
import dev.zdm.analysis.ActionDetail.Index;
import dev.zdm.analysis.ActionKind;
import dev.zdm.analysis.ColumnDefinition;
import dev.zdm.analysis.ConstraintDefinition;
import dev.zdm.analysis.Finding;
import dev.zdm.analysis.SqlToken;
import dev.zdm.analysis.SqlTokenizer;
import dev.zdm.analysis.StatementAnalysis;
import dev.zdm.model.TableRef;
import dev.zdm.model.plan.DirectStep.Undo;
import dev.zdm.postgres.Identifiers;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The inverse of a statement zdm runs as written, for the plan-level saga: only where it is known
 * and safe, idempotent (IF EXISTS), and read from the analysis of the statement, never from a
 * second parse. Null means irreversible: drops, data changes, anything not recognised, and values
 * that would have to be guessed (docs/decisions/0310-direct-step-undo.md).
 */
final class DirectUndo {
  /** Dollar-quote tag of the guarded DROP TABLE; a name containing it gets no undo. */
  private static final String BODY_TAG = "$zdm_undo$";

  /** ALTER TABLE clauses with a known inverse clause. */
  private static final Set<ActionKind> ALTER_CLAUSES =
      EnumSet.of(ActionKind.ADD_COLUMN, ActionKind.ADD_CONSTRAINT, ActionKind.SET_DEFAULT,
          ActionKind.DROP_DEFAULT);

  private final PriorState prior;

  DirectUndo(PriorState prior) {
    this.prior = prior;
  }

  /** The undo of a statement the user wrote, or null when it has none. */
  Undo of(StatementAnalysis statement) {
    List<Finding> findings = statement.findings();
    if (findings.isEmpty()) {
      return null;
    }
    boolean conditional = ifNotExists(statement.sql());
    Action first = findings.get(0).action();
    if (findings.size() == 1 && !ALTER_CLAUSES.contains(first.kind())) {
      return wholeStatement(first, conditional);
    }
    // ALTER TABLE, possibly with several clauses: one ALTER TABLE undoing them in reverse order.
    List<String> clauses = new ArrayList<>();
    for (Finding finding : findings) {
      Action action = finding.action();
      String clause = inverseClause(action, conditional);
      if (clause == null || first.table() == null || !first.table().equals(action.table())) {
        return null;
      }
      clauses.add(0, clause);
    }
    return alterTable(first.table(), clauses);
  }

  /** A column the planner adds itself (name and type only): dropping it restores the table. */
  Undo addedColumn(TableRef table, String column) {
    return createdHere(prior.columnExists(table, column), false)
        ? alterTable(table, List.of("DROP COLUMN IF EXISTS " + Identifiers.quote(column))) : null;
  }

  /** The default the planner sets on a column it has just added, which had none before. */
  Undo defaultOfAddedColumn(TableRef table, String column) {
    return createdHere(prior.columnExists(table, column), false)
        ? alterTable(table, List.of("ALTER COLUMN " + Identifiers.quote(column) + " DROP DEFAULT"))
        : null;
  }

  /** Statements whose undo is a statement of its own rather than an ALTER TABLE clause. */
  private Undo wholeStatement(Action action, boolean conditional) {
    return switch (action.kind()) {
      case CREATE_INDEX, CREATE_INDEX_CONCURRENTLY -> dropIndex(action, conditional);
      case CREATE_TABLE, CREATE_PARTITION -> dropEmptyTable(action.table(), conditional);
      case COMMENT -> restoreComment(action);
      default -> null;
    };
  }

  private String inverseClause(Action action, boolean conditional) {
    return switch (action.kind()) {
      case ADD_COLUMN -> {
        ColumnDefinition column = (ColumnDefinition) action.detail();
        yield createdHere(prior.columnExists(action.table(), column.name()), conditional)
            ? "DROP COLUMN IF EXISTS " + Identifiers.quote(column.name()) : null;
      }
      case ADD_CONSTRAINT -> {
        ConstraintDefinition constraint = (ConstraintDefinition) action.detail();
        // USING INDEX adopts an index the file did not create: dropping the constraint drops it.
        yield constraint.name() == null || constraint.usingIndex() != null
            || !createdHere(prior.constraintExists(action.table(), constraint.name()), conditional)
            ? null : "DROP CONSTRAINT IF EXISTS " + Identifiers.quote(constraint.name());
      }
      case SET_DEFAULT, DROP_DEFAULT -> prior.columnDefault(action.table(), action.column())
          .map(previous -> "ALTER COLUMN " + Identifiers.quote(action.column())
              + (previous.value() == null ? " DROP DEFAULT" : " SET DEFAULT " + previous.value()))
          .orElse(null);
      default -> null;
    };
  }

  private Undo dropIndex(Action action, boolean conditional) {
    Index index = (Index) action.detail();
    if (index.name() == null) {
      return null; // PostgreSQL chose the name: zdm cannot tell it from one that was there before
    }
    TableRef name = new TableRef(action.table().schema(), index.name());
    if (!createdHere(prior.relationExists(name), conditional)) {
      return null;
    }
    return new Undo("DROP INDEX CONCURRENTLY IF EXISTS " + Identifiers.quote(name), false);
  }

  /**
   * A table the file created is dropped only while it is empty, under the lock that keeps it so:
   * rows in it were written by someone after the migration made it, and a rollback must not
   * destroy them. With rows, the undo fails and says so; the table stays.
   */
  private Undo dropEmptyTable(TableRef table, boolean conditional) {
    if (!createdHere(prior.relationExists(table), conditional)) {
      return null;
    }
    String t = Identifiers.quote(table);
    if (t.contains(BODY_TAG)) {
      return null;
    }
    String body = """
        DO %1$s
        BEGIN
          IF to_regclass(%2$s) IS NULL THEN
            RETURN;
          END IF;
          LOCK TABLE %3$s IN ACCESS EXCLUSIVE MODE;
          IF EXISTS (SELECT FROM %3$s) THEN
            RAISE EXCEPTION USING MESSAGE = %4$s;
          END IF;
          DROP TABLE %3$s;
        END
        %1$s""".formatted(BODY_TAG, Identifiers.literal(t), t, Identifiers.literal(
            "zdm keeps table " + table.displayName() + ": rows were written to it after the"
                + " migration created it; drop it yourself once they are no longer needed"));
    return new Undo(body, true);
  }

  private Undo restoreComment(Action action) {
    if (action.table() == null) {
      return null; // a comment on something other than a table or column
    }
    String target = action.column() == null
        ? "TABLE " + Identifiers.quote(action.table())
        : "COLUMN " + Identifiers.quote(action.table()) + "." + Identifiers.quote(action.column());
    return prior.comment(action.table(), action.column())
        .map(previous -> new Undo("COMMENT ON " + target + " IS "
            + (previous.value() == null ? "NULL" : Identifiers.literal(previous.value())), true))
        .orElse(null);
  }

  /**
   * Whether the statement, if it succeeds, made its object, so dropping it takes away only what
   * the migration added. An object there before the migration is never dropped: the statement
   * fails on it, or (IF NOT EXISTS) leaves it alone, and a retry of the DDL step may take the
   * duplicate for its own work. Unknown is trusted only without IF NOT EXISTS.
   */
  private static boolean createdHere(Optional<Boolean> existedBefore, boolean conditional) {
    return existedBefore.map(existed -> !existed).orElse(!conditional);
  }

  private static Undo alterTable(TableRef table, List<String> clauses) {
    return new Undo("ALTER TABLE " + Identifiers.quote(table) + " " + String.join(", ", clauses), true);
  }

  /** {@code IF NOT EXISTS} anywhere in the statement: it may have found its object already there. */
  private static boolean ifNotExists(String sql) {
    List<SqlToken> tokens = SqlTokenizer.tokenize(sql, 1);
    for (int i = 0; i + 2 < tokens.size(); i++) {
      if (tokens.get(i).is("if") && tokens.get(i + 1).is("not") && tokens.get(i + 2).is("exists")) {
        return true;
      }
    }
    return false;
  }
}
