package dev.zdm.droptable;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** The database steps of dropping a table; each is idempotent and has its undo beside it. */
@ActivityInterface
public interface DropTableActivities {

  /** Table comment + {@code _migration_deprecations} row (no column); returns the ledger's dates. */
  @ActivityMethod(name = "DeprecateTable")
  TableDeprecation deprecateTable(DropTableRequest request);

  /** Undo of {@link #deprecateTable}: the table's previous comment back, the ledger row gone. */
  @ActivityMethod(name = "RemoveTableDeprecation")
  void removeTableDeprecation(DropTableRequest request);

  /**
   * Renames the table into the archive schema under a collision-free name, marked as this
   * migration's (a catalog change: instant, the data untouched, owner, grants, indexes, triggers
   * and owned sequences go with it). Finds its own earlier move; refuses a name another holds.
   */
  @ActivityMethod(name = "MoveTableAside")
  ArchivedTable moveAside(DropTableRequest request);

  /** Undo of {@link #moveAside}: the table back under its name. Refuses if that name was taken since. */
  @ActivityMethod(name = "MoveTableBack")
  void moveBack(DropTableRequest request);

  /**
   * Before the drop: the archived table must be the one this migration moved (same OID, its mark)
   * and nothing may depend on it (a view or foreign key added since). Fails (FidelityCheckFailed)
   * otherwise, with what differs. Returns what was compared.
   */
  @ActivityMethod(name = "CheckArchivedTable")
  String checkArchived(DropTableRequest request, ArchivedTable archived);

  /** The irreversible step: drops the archived table (no CASCADE) and marks the ledger row removed. */
  @ActivityMethod(name = "DropArchivedTable")
  void dropArchived(DropTableRequest request, ArchivedTable archived);
}
