package dev.zdm.engine.migration;

import dev.zdm.ledger.Ledger;
import dev.zdm.model.plan.Plan;
import dev.zdm.model.plan.PlanStep;
import dev.zdm.planning.PlanCheck;
import dev.zdm.planning.RowSecurityCheck;
import dev.zdm.planning.StepPlannings;
import dev.zdm.postgres.Catalog;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Checks every step of a plan against the catalog before anything runs, each through its kind's
 * {@link dev.zdm.planning.StepPlanning}: a typo is refused with exit 2 instead of failing half-way,
 * a step never adopts an object it did not make (its undo would drop it on rollback), and a step
 * that reads every row is refused where row-level security would hide some from zdm.
 */
final class PlanValidator {
  private final Ledger ledger;
  private final StepPlannings kinds = StepPlannings.all();
  private final RowSecurityCheck rowSecurity = new RowSecurityCheck(kinds);

  PlanValidator(Ledger ledger) {
    this.ledger = ledger;
  }

  void validate(Connection connection, Plan plan) throws SQLException {
    PlanCheck check = new PlanCheck(connection, new Catalog(connection), ledger, plan.migrationId());
    for (PlanStep step : plan.steps()) {
      kinds.validate(step, check);
      rowSecurity.refuseHiddenRows(connection, step);
    }
  }
}
