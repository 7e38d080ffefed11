package dev.zdm.planning;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.model.plan.PlanStep;
import dev.zdm.postgres.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Refuses at {@code zdm start}, before anything changes, a step that reads every row of a table
 * whose rows row-level security would hide from zdm's role. zdm runs every statement with
 * {@code row_security = off}, so such a step would otherwise fail only at its first batch, after
 * its new column, trigger or deprecation exists; probing the same way here makes PostgreSQL raise
 * the same error for a query of no rows.
 */
public final class RowSecurityCheck {
  private static final String PROBE = "SELECT FROM %s LIMIT 0";

  private final StepPlannings kinds;

  public RowSecurityCheck(StepPlannings kinds) {
    this.kinds = kinds;
  }

  /** @throws ZdmException REFUSED naming the table, the line and what to do */
  public void refuseHiddenRows(Connection connection, PlanStep step) throws SQLException {
    if (step.table() == null || !kinds.readsEveryRow(step) || !exists(connection, step)) {
      return;
    }
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET row_security = off");
      try {
        statement.execute(PROBE.formatted(Identifiers.quote(step.table())));
      } catch (SQLException hidden) {
        if (!"42501".equals(hidden.getSQLState())) {
          throw hidden;
        }
        throw new ZdmException(ErrorCode.REFUSED, "row-level security on "
            + step.table().displayName() + " applies to zdm's role, so " + step.describe()
            + " would not see every row (" + hidden.getMessage() + ")",
            "Run zdm as the table's owner on a table without FORCE ROW LEVEL SECURITY, or as a role"
                + " with BYPASSRLS.");
      } finally {
        statement.execute("RESET row_security");
      }
    }
  }

  /**
   * A table that is not there is the step's own check to report (a clear refusal naming it); the
   * probe would fail on it with an error that reads as a transient database failure and is retried.
   */
  private static boolean exists(Connection connection, PlanStep step) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      statement.setString(1, Identifiers.quote(step.table()));
      try (ResultSet row = statement.executeQuery()) {
        return row.next() && row.getBoolean(1);
      }
    }
  }
}
