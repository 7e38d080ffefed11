package dev.zdm.model.plan;

import dev.zdm.model.Strategy;
import dev.zdm.model.TableRef;
import java.util.List;

/**
 * Drop a table the expand-contract way (docs/decisions/0540): deprecate it, wait for the deployment
 * that no longer uses it and the removal date, approval, move it aside into the archive schema
 * (a rename: instant, restorable), drop it after the retention period.
 *
 * @param ifExists {@code DROP TABLE IF EXISTS}: a table missing when the step runs is nothing to do
 * @param retentionSeconds how long the moved-aside table is kept before the drop
 * @param droppedFirst what the same file drops before this step (views, tables, foreign keys as
 *     {@code table.constraint}), which may therefore still point at the table when zdm start checks
 */
public record DropTableStep(
    TableRef table, boolean ifExists, long retentionSeconds, List<String> droppedFirst, int line)
    implements PlanStep {

  /** Seven days: long enough for a weekly job to fail loudly while the table is still restorable. */
  public static final long DEFAULT_RETENTION_SECONDS = 7L * 24 * 3600;

  public DropTableStep {
    if (retentionSeconds < 0) {
      throw new IllegalArgumentException("retention must not be negative, got " + retentionSeconds + " s");
    }
    droppedFirst = droppedFirst == null ? List.of() : List.copyOf(droppedFirst);
  }

  @Override
  public Strategy strategy() {
    return Strategy.EXPAND_CONTRACT;
  }

  @Override
  public String describe() {
    return "drop table " + table.displayName() + " (expand-contract: deprecate, move aside, drop after retention)";
  }
}
