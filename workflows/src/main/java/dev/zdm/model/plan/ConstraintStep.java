package dev.zdm.model.plan;

import dev.zdm.model.Strategy;

import dev.zdm.model.TableRef;
import java.util.List;

/**
 * Add a constraint without a long lock: ADD ... NOT VALID (brief), then VALIDATE CONSTRAINT
 * (SHARE UPDATE EXCLUSIVE, reads and writes go on). For NOT_NULL: a CHECK (col IS NOT NULL) is
 * added and validated, SET NOT NULL then needs no scan, and the check is dropped.
 *
 * @param definition the constraint as written without NOT VALID, e.g. {@code CHECK (price > 0)};
 *     for NOT_NULL the {@code CHECK (col IS NOT NULL)} that stands in for it
 * @param column for NOT_NULL, the column; else null
 * @param afterValidation statements run once the constraint is validated (for NOT_NULL: SET NOT
 *     NULL, which then needs no scan, and dropping the check); empty otherwise
 * @param undoAfterValidation for NOT_NULL, what a rollback of the file runs once the step is done
 *     (drop the NOT NULL when the column was nullable before, and the helper check, IF EXISTS);
 *     empty when the column's prior state was not known, and in steps planned before this field
 *     existed: the step is then irreversible
 */
public record ConstraintStep(
    TableRef table,
    String constraintName,
    Kind kind,
    String definition,
    String column,
    List<String> afterValidation,
    int line,
    List<String> undoAfterValidation)
    implements PlanStep {
  public ConstraintStep {
    afterValidation = afterValidation == null ? List.of() : List.copyOf(afterValidation);
    undoAfterValidation = undoAfterValidation == null ? List.of() : List.copyOf(undoAfterValidation);
  }

  /** A step without closing statements to undo (CHECK, FOREIGN KEY). */
  public ConstraintStep(TableRef table, String constraintName, Kind kind, String definition,
      String column, List<String> afterValidation, int line) {
    this(table, constraintName, kind, definition, column, afterValidation, line, List.of());
  }


  /** What the constraint is. */
  public enum Kind {
    CHECK,
    FOREIGN_KEY,
    NOT_NULL
  }

  @Override
  public Strategy strategy() {
    return Strategy.PROGRESSIVE;
  }

  @Override
  public String describe() {
    return kind == Kind.NOT_NULL
        ? "set " + table.displayName() + "." + column + " NOT NULL via a validated check"
        : "add constraint " + constraintName + " on " + table.displayName()
            + " (NOT VALID, then VALIDATE)";
  }
}
