package dev.zdm.engine.migration;

import dev.zdm.error.ZdmException;
import dev.zdm.ledger.Ledger;
import dev.zdm.model.TableRef;
import dev.zdm.model.plan.ConcurrentIndexStep;
import dev.zdm.model.plan.ConstraintStep;
import dev.zdm.model.plan.ExpandContractStep;
import dev.zdm.model.plan.Plan;
import dev.zdm.model.plan.PlanStep;
import dev.zdm.postgres.Catalog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Checks that every table and column a plan's strategy steps name exists, and that no index or
 * constraint they create is already there, before anything runs: a typo is refused with exit 2
 * instead of failing half-way, and a step never adopts an object it did not make (its undo would
 * drop it on rollback).
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
      } else if (step instanceof ConcurrentIndexStep index) {
        refuseExisting(catalog.relationExists(index.table().schema(), index.indexName()),
            index.line(), "index", index.indexName(), index.table());
        if (index.constraintName() != null) {
          refuseExisting(catalog.constraintValidated(index.table(), index.constraintName()).isPresent(),
              index.line(), "constraint", index.constraintName(), index.table());
        }
      } else if (step instanceof ConstraintStep constraint && constraint.constraintName() != null) {
        refuseExisting(catalog.constraintValidated(constraint.table(), constraint.constraintName()).isPresent(),
            constraint.line(), "constraint", constraint.constraintName(), constraint.table());
      }
    }
  }

  private static void refuseExisting(
      boolean exists, int line, String kind, String name, TableRef table) {
    if (exists) {
      throw ZdmException.badInput("line " + line + ": " + kind + " " + name + " already exists ("
          + table.displayName() + "); zdm would count it as built and drop it on a rollback."
          + " Rename it, drop it by hand if it is stale, or remove the statement");
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
