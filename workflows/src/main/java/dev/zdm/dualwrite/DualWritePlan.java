package dev.zdm.dualwrite;

import dev.zdm.backfill.BatchChange;

/**
 * A dual-write request checked against the database and resolved: both columns' types, the
 * expressions with defaults filled in, and the backfill's change. Kept in the workflow, so later
 * steps do not depend on columns an earlier step has since renamed or dropped.
 *
 * @param oldType null for ADD_NOT_NULL without a source column
 * @param setNotNull the new column must end NOT NULL (ADD_NOT_NULL, or the old column was)
 */
public record DualWritePlan(
    DualWriteRequest request,
    String oldType,
    String newType,
    String forward,
    String inverse,
    boolean setNotNull,
    BatchChange.UpdateRows backfill) {}
