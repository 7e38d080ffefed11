package dev.zdm.dualwrite;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** The database steps of dual-write; each checks the catalog first, so a retry is harmless. */
@ActivityInterface
public interface DualWriteActivities {

  /** Checks the request against the database and resolves it; changes nothing. */
  @ActivityMethod(name = "PlanDualWrite")
  DualWritePlan plan(DualWriteRequest request);

  /** Adds the new column (nullable, marked as zdm's by its comment). */
  @ActivityMethod(name = "AddDualWriteColumn")
  void addColumn(DualWritePlan plan);

  /** Installs the PL/pgSQL trigger that keeps both columns in sync on INSERT and UPDATE. */
  @ActivityMethod(name = "InstallDualWriteTrigger")
  void installTrigger(DualWritePlan plan);

  /** Undo: trigger, function and new column go in one transaction; the old column was kept in sync. */
  @ActivityMethod(name = "RemoveDualWrite")
  void removeDualWrite(DualWritePlan plan);

  /** CHECK (col IS NOT NULL) NOT VALID, VALIDATE, SET NOT NULL, drop the check: no long lock. */
  @ActivityMethod(name = "EnforceNotNull")
  void enforceNotNull(DualWritePlan plan);

  /**
   * Recreates what the old column carries (indexes built CONCURRENTLY, UNIQUE as a unique index,
   * CHECK and foreign keys NOT VALID then validated, column grants) on the new column under
   * temporary names the cut-over swaps for the original ones. Returns what it carried, for the status.
   */
  @ActivityMethod(name = "CarryOverDualWrite")
  String carryOver(DualWritePlan plan);

  /**
   * Before the cut-over: the table must be as it was when the step began, apart from the new
   * column and zdm's trigger; otherwise fails (FidelityCheckFailed) with the differences. Returns
   * what was compared, for the status.
   */
  @ActivityMethod(name = "CheckDualWriteFidelity")
  String checkFidelity(DualWritePlan plan);

  /** The irreversible step: drops the trigger and the old column, renaming into place where needed. */
  @ActivityMethod(name = "CutOverDualWrite")
  void cutOver(DualWritePlan plan);
}
