package dev.zdm.bluegreen;

import dev.zdm.model.TableRef;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Blue-green's database steps. Each reads the catalog first and is safe to run again; {@link
 * #revert} undoes whatever of them has happened, in any state before {@link #dropOld}.
 */
@ActivityInterface
public interface BlueGreenActivities {

  /** Refuses (non-retryable) a table or change blue-green cannot handle, before anything is done. */
  @ActivityMethod(name = "BlueGreenCheck")
  void check(BlueGreenRequest request);

  /** Creates {@code <table>_zdm_green} (LIKE INCLUDING ALL, same grants) and applies the changes. */
  @ActivityMethod(name = "BlueGreenCreateGreen")
  void createGreen(BlueGreenRequest request);

  /** Installs the INSERT/UPDATE/DELETE sync trigger from the table to the green copy. */
  @ActivityMethod(name = "BlueGreenInstallSync")
  void installSync(BlueGreenRequest request);

  /**
   * The green copy's name, for the batch engine's copy and comparison passes (the name is
   * generated and shortened on the engine side).
   */
  @ActivityMethod(name = "BlueGreenGreenTable")
  TableRef greenTable(BlueGreenRequest request);

  /**
   * Copies the existing rows in key order; rows the trigger already wrote win. Returns rows read.
   * Runs started before the copy went through the batch engine only.
   */
  @ActivityMethod(name = "BlueGreenCopy")
  long copyRows(BlueGreenRequest request);

  /**
   * Compares counts and checksums of both tables, key range by key range. Returns rows compared.
   * Runs started before the comparison went through the batch engine only.
   */
  @ActivityMethod(name = "BlueGreenVerify")
  long verify(BlueGreenRequest request);

  /**
   * Before the switch: the table must be as it was when the migration checked it, apart from the
   * sync trigger (the green copy was made from that state, so a later change would be lost);
   * otherwise fails (FidelityCheckFailed) with the differences. Returns what was compared.
   */
  @ActivityMethod(name = "BlueGreenCheckFidelity")
  String checkFidelity(BlueGreenRequest request);

  /** One transaction: table -> {@code <table>_zdm_old}, green -> table, reverse sync installed. */
  @ActivityMethod(name = "BlueGreenSwitch")
  void switchTables(BlueGreenRequest request);

  /**
   * Before the old table is dropped: the switched table must be as the switch left it (its
   * description is kept in the same transaction as the switch); an index, constraint, grant or
   * policy lost while the drop waited for approval fails the step (FidelityCheckFailed) with the
   * differences, and the undo swaps back to the old table, which still has them.
   */
  @ActivityMethod(name = "BlueGreenCheckFidelityBeforeDrop")
  String checkFidelityBeforeDrop(BlueGreenRequest request);

  /** The irreversible step: drops the reverse sync and the old table. */
  @ActivityMethod(name = "BlueGreenDropOld")
  void dropOld(BlueGreenRequest request);

  /** Undo of everything before {@link #dropOld}: swaps back if switched, drops green and triggers. */
  @ActivityMethod(name = "BlueGreenRevert")
  void revert(BlueGreenRequest request);
}
