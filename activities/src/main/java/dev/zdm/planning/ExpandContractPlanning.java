package dev.zdm.planning;

import dev.zdm.engine.expandcontract.ArchiveNames;
import dev.zdm.engine.expandcontract.ArchiveObjects;
import dev.zdm.model.HumanDuration;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.Catalog;
import dev.zdm.model.plan.ExpandContractStep;
import dev.zdm.postgres.Identifiers;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/** A column dropped through deprecation, removal date, approval and archive. */
final class ExpandContractPlanning implements StepPlanning<ExpandContractStep> {

  @Override
  public Class<ExpandContractStep> stepType() {
    return ExpandContractStep.class;
  }

  @Override
  public List<PlanPhase> phases(ExpandContractStep step, MigrationOptions options) {
    String t = Identifiers.quote(step.table());
    String c = Identifiers.quote(step.column());
    ArchiveObjects objects = ArchiveNames.of(step.table(), step.column());
    String archive = Identifiers.quote(objects.table());
    String trigger = Identifiers.quote(objects.trigger());
    String removalAfter = HumanDuration.format(options.removalAfter());
    return List.of(
        new PlanPhase("deprecate", List.of(
            "COMMENT ON COLUMN " + t + "." + c + " IS 'DEPRECATED by zdm migration <id>: will be"
                + " removed after <removal date>'",
            "INSERT INTO _migration_deprecations (migration_id, table_schema, table_name,"
                + " column_name, removal_date, previous_comment) VALUES (<id>, "
                + Identifiers.literal(step.table().schema()) + ", "
                + Identifiers.literal(step.table().name()) + ", "
                + Identifiers.literal(step.column()) + ", now() + interval '" + removalAfter
                + "', <the column's comment>)"),
            null,
            List.of("COMMENT ON COLUMN " + t + "." + c + " IS <the column's previous comment>",
                "DELETE FROM _migration_deprecations WHERE migration_id = <id> AND table_name = "
                    + Identifiers.literal(step.table().name()) + " AND column_name = "
                    + Identifiers.literal(step.column()))),
        new PlanPhase("wait for deployment", List.of(),
            "deployment: the version that no longer uses " + step.column() + " (zdm deployed)", List.of()),
        new PlanPhase("wait for removal date", List.of(),
            "time: " + removalAfter + " after deprecation (the ledger's removal_date)", List.of()),
        new PlanPhase("approve", List.of(), "approval: zdm approve (the drop is irreversible)", List.of()),
        new PlanPhase("archive", List.of(
            "CREATE TABLE IF NOT EXISTS " + archive + " (<primary key>, " + c + ", archived_at)"
                + "  -- commented with the migration id, like the function and trigger",
            "CREATE FUNCTION " + objects.function() + "() ... SECURITY DEFINER  -- upserts NEW's key"
                + " and " + c + " into the archive when either changed",
            "CREATE TRIGGER " + trigger + " AFTER INSERT OR UPDATE ON " + t + " FOR EACH ROW ...;"
                + " ALTER TABLE " + t + " ENABLE ALWAYS TRIGGER " + trigger + "  -- lock_timeout "
                + options.lockTimeout().toMillis() + " ms, retried",
            "INSERT INTO " + archive + " SELECT <primary key>, " + c + " FROM " + t
                + " WHERE <key range> FOR SHARE ON CONFLICT DO UPDATE  -- batches, each its own"
                + " transaction; then a check that every value is archived"),
            null,
            List.of("DROP TRIGGER " + trigger + " ON " + t + "; DROP FUNCTION " + objects.function()
                + "(); DROP TABLE " + archive + "  -- each only if its comment names this migration")),
        PlanPhase.fidelityCheck("no index, constraint or view on " + step.column() + " appeared or changed"
            + " since the deprecation (it would be dropped with the column)"),
        new PlanPhase("drop", List.of(
            "LOCK TABLE " + t + " IN ACCESS EXCLUSIVE MODE  -- lock_timeout "
                + options.lockTimeout().toMillis() + " ms, retried with backoff; then refused if"
                + " the trigger is missing or not enabled ALWAYS",
            "ALTER TABLE " + t + " DROP COLUMN " + c + "; DROP TRIGGER " + trigger + " ON " + t
                + "; DROP FUNCTION " + objects.function() + "()  -- same transaction"),
            null, List.of()));
  }

  /** The table, the column and a primary key to archive it by must exist (or this migration dropped it). */
  @Override
  public void validate(ExpandContractStep drop, PlanCheck check) throws SQLException {
    TableRef table = drop.table();
    Catalog catalog = check.catalog();
    if (!catalog.tableExists(table)) {
      throw PlanCheck.refuse(drop.line(), "table " + table.displayName() + " does not exist");
    }
    if (catalog.columnType(table, drop.column()).isEmpty()) {
      if (droppedByThisMigration(check, drop)) {
        return;
      }
      throw PlanCheck.refuse(drop.line(), "column " + drop.column() + " does not exist in table "
          + table.displayName());
    }
    if (catalog.primaryKey(table).stream().anyMatch(key -> key.name().equals(drop.column()))) {
      throw PlanCheck.refuse(drop.line(), "column " + drop.column() + " is part of the primary key of "
          + table.displayName() + "; expand-contract archives by primary key, so replace the key first");
    }
    if (catalog.primaryKey(table).isEmpty()) {
      throw PlanCheck.refuse(drop.line(), "table " + table.displayName()
          + " has no primary key; expand-contract archives the column's data by primary key"
          + " before dropping it");
    }
  }

  /** A migration started again after the Temporal server lost its state finds its own work. */
  private static boolean droppedByThisMigration(PlanCheck check, ExpandContractStep drop)
      throws SQLException {
    String sql =
        """
        SELECT 1 FROM %s
         WHERE migration_id = ? AND table_schema = ? AND table_name = ? AND column_name = ?
           AND status = 'removed'
        """
            .formatted(check.ledger().qualified("_migration_deprecations"));
    try (PreparedStatement statement = check.connection().prepareStatement(sql)) {
      statement.setString(1, check.migrationId());
      statement.setString(2, drop.table().schema());
      statement.setString(3, drop.table().name());
      statement.setString(4, drop.column());
      try (ResultSet row = statement.executeQuery()) {
        return row.next();
      }
    }
  }

  @Override
  public boolean readsEveryRow(ExpandContractStep step) {
    return true;
  }
}
