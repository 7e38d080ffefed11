package dev.zdm.engine.migration;

import dev.zdm.error.ZdmException;
import dev.zdm.ledger.Ledger;
import dev.zdm.model.TableRef;
import dev.zdm.model.plan.ExpandContractStep;
import dev.zdm.model.plan.Plan;
import dev.zdm.model.plan.PlanStep;
import dev.zdm.postgres.Catalog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Checks that every table and column a plan's strategy steps name exists, before anything runs,
 * so a typo is refused with exit 2 instead of failing half-way.
 */
final class PlanValidator {
  private final Ledger ledger;

  PlanValidator(Ledger ledger) {
    this.ledger = ledger;
  }

  void validate(Connection connection, Plan plan) throws SQLException {
    Catalog catalog = new Catalog(connection);
    for (PlanStep step : plan.steps()) {
      if (step instanceof ExpandContractStep drop) {
        validateDrop(connection, catalog, plan.migrationId(), drop);
      }
    }
  }

  private void validateDrop(
      Connection connection, Catalog catalog, String migrationId, ExpandContractStep drop)
      throws SQLException {
    TableRef table = drop.table();
    if (!catalog.tableExists(table)) {
      throw ZdmException.badInput(
          "line " + drop.line() + ": table " + table.displayName() + " does not exist");
    }
    if (catalog.columnType(table, drop.column()).isEmpty()) {
      if (droppedByThisMigration(connection, migrationId, drop)) {
        return;
      }
      throw ZdmException.badInput(
          "line " + drop.line() + ": column " + drop.column() + " does not exist in table "
              + table.displayName());
    }
    if (catalog.primaryKey(table).stream().anyMatch(key -> key.name().equals(drop.column()))) {
      throw ZdmException.badInput(
          "line " + drop.line() + ": column " + drop.column() + " is part of the primary key of "
              + table.displayName() + "; expand-contract archives by primary key, so replace the"
              + " key first");
    }
    if (catalog.primaryKey(table).isEmpty()) {
      throw ZdmException.badInput(
          "line " + drop.line() + ": table " + table.displayName()
              + " has no primary key; expand-contract archives the column's data by primary key"
              + " before dropping it");
    }
  }

  /** A migration started again after the Temporal server lost its state finds its own work. */
  private boolean droppedByThisMigration(
      Connection connection, String migrationId, ExpandContractStep drop) throws SQLException {
    String sql =
        """
        SELECT 1 FROM %s
         WHERE migration_id = ? AND table_schema = ? AND table_name = ? AND column_name = ?
           AND status = 'removed'
        """
            .formatted(ledger.qualified("_migration_deprecations"));
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, migrationId);
      statement.setString(2, drop.table().schema());
      statement.setString(3, drop.table().name());
      statement.setString(4, drop.column());
      try (ResultSet row = statement.executeQuery()) {
        return row.next();
      }
    }
  }
}
