package dev.zdm.planning;

import dev.zdm.error.ZdmException;
import dev.zdm.ledger.Ledger;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.Catalog;
import java.sql.Connection;

/** What a step's validation at {@code zdm start} reads: the target's catalog and zdm's ledger. */
public record PlanCheck(Connection connection, Catalog catalog, Ledger ledger, String migrationId) {

  /** Refuses a plan whose step on {@code line} cannot run as planned (bad input, exit 2). */
  public static ZdmException refuse(int line, String why) {
    return ZdmException.badInput("line " + line + ": " + why);
  }

  /**
   * Refuses a step whose index or constraint is already there: the step would count it as built,
   * and its undo would drop it on a rollback.
   */
  public static void refuseExisting(boolean exists, int line, String kind, String name, TableRef table) {
    if (exists) {
      throw refuse(line, kind + " " + name + " already exists (" + table.displayName()
          + "); zdm would count it as built and drop it on a rollback."
          + " Rename it, drop it by hand if it is stale, or remove the statement");
    }
  }
}
