package dev.zdm.model.plan;

import dev.zdm.model.Strategy;

import dev.zdm.model.TableRef;

/**
 * Change a column without breaking the running application: add the new column, keep old and new
 * in sync with a PL/pgSQL trigger both ways, backfill in batches, verify, wait for the deployments
 * that switch reads and then writes, approve, then drop the trigger and the old column.
 *
 * @param oldColumn the column as it is (for ADD_NOT_NULL: null)
 * @param newColumn the column as it will be
 * @param newType the new column's type
 * @param forwardExpression the new value from the old one, with {@code {old}} standing for the old
 *     column, e.g. {@code {old}::numeric(12,2)}; null for a plain copy or cast; for ADD_NOT_NULL,
 *     the backfill value
 * @param backwardExpression the old value from the new one, with {@code {new}} for the new column
 *     (null: a plain copy or cast back)
 * @param line the line of the statement in the migration file
 * @param readsFlag a flag whose rollout reaching 100 % passes the reads gate instead of {@code
 *     zdm deployed --stage reads} ({@code -- @metadata {"readsFlag": "..."}} or {@code zdm start
 *     --reads-flag}); null waits for the deployment
 */
public record DualWriteStep(
    TableRef table,
    String oldColumn,
    String newColumn,
    String newType,
    String forwardExpression,
    String backwardExpression,
    Kind kind,
    int line,
    String readsFlag)
    implements PlanStep {

  public DualWriteStep(TableRef table, String oldColumn, String newColumn, String newType,
      String forwardExpression, String backwardExpression, Kind kind, int line) {
    this(table, oldColumn, newColumn, newType, forwardExpression, backwardExpression, kind, line, null);
  }

  /** The same step with its reads gate on {@code flag}. */
  public DualWriteStep withReadsFlag(String flag) {
    return new DualWriteStep(table, oldColumn, newColumn, newType, forwardExpression,
        backwardExpression, kind, line, flag);
  }

  /** Stands for the old column's value in {@link #forwardExpression}. */
  public static final String OLD = "{old}";
  /** Stands for the new column's value in {@link #backwardExpression}. */
  public static final String NEW = "{new}";

  /** Which change the dual-write carries out. */
  public enum Kind {
    RENAME,
    CHANGE_TYPE,
    ADD_NOT_NULL,
    /** A new column derived from the row ({@code forwardExpression} over its columns), NOT NULL. */
    DERIVED
  }

  @Override
  public Strategy strategy() {
    return Strategy.DUAL_WRITE;
  }

  @Override
  public String describe() {
    return switch (kind) {
      case RENAME -> "rename column " + table.displayName() + "." + oldColumn + " to " + newColumn
          + " (dual-write)";
      case CHANGE_TYPE -> "change type of " + table.displayName() + "." + oldColumn + " to "
          + newType + " (dual-write)";
      case ADD_NOT_NULL -> "add NOT NULL column " + table.displayName() + "." + newColumn
          + " (dual-write)";
      case DERIVED -> "add NOT NULL column " + table.displayName() + "." + newColumn + " = "
          + forwardExpression + ", kept by a trigger (derived column)";
    };
  }
}
