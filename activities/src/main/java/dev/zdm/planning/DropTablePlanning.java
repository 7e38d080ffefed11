package dev.zdm.planning;

import dev.zdm.engine.droptable.DroppableTable;
import dev.zdm.engine.droptable.TableArchive;
import dev.zdm.engine.droptable.TableDependents;
import dev.zdm.model.HumanDuration;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.TableRef;
import dev.zdm.model.plan.DropTableStep;
import dev.zdm.postgres.Identifiers;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A table dropped through deprecation, removal date, approval, a move aside and a retention period. */
final class DropTablePlanning implements StepPlanning<DropTableStep> {

  @Override
  public Class<DropTableStep> stepType() {
    return DropTableStep.class;
  }

  @Override
  public List<PlanPhase> phases(DropTableStep step, MigrationOptions options) {
    String t = Identifiers.quote(step.table());
    TableRef archive = new TableRef(TableArchive.DEFAULT_SCHEMA,
        step.table().name() + "_<hash of schema, table and migration>");
    String a = Identifiers.quote(archive.schema()) + "." + archive.name();
    String retention = HumanDuration.format(Duration.ofSeconds(step.retentionSeconds()));
    String removalAfter = HumanDuration.format(options.removalAfter());
    String dependents = "refused at zdm start if a view or another table's foreign key points at "
        + step.table().displayName() + " (zdm never drops with CASCADE)"
        + (step.droppedFirst().isEmpty() ? "" : ", except what this file drops before it: "
            + String.join(", ", step.droppedFirst()))
        + (step.ifExists() ? "; a table that does not exist is nothing to do (IF EXISTS)" : "");
    return List.of(
        new PlanPhase("deprecate", List.of(
            "COMMENT ON TABLE " + t + " IS 'DEPRECATED by zdm migration <id>: will be moved aside after"
                + " <removal date> and dropped after its retention'",
            "INSERT INTO _migration_deprecations (migration_id, table_schema, table_name, column_name,"
                + " removal_date, previous_comment) VALUES (<id>, " + Identifiers.literal(step.table().schema())
                + ", " + Identifiers.literal(step.table().name()) + ", NULL, now() + interval '" + removalAfter
                + "', <the table's comment>)  -- " + dependents),
            null,
            List.of("COMMENT ON TABLE " + t + " IS <the table's previous comment>",
                "DELETE FROM _migration_deprecations WHERE migration_id = <id> AND table_name = "
                    + Identifiers.literal(step.table().name()) + " AND column_name IS NULL")),
        new PlanPhase("wait for deployment", List.of(),
            "deployment: the version that no longer uses " + step.table().displayName() + " (zdm deployed)",
            List.of()),
        new PlanPhase("wait for removal date", List.of(),
            "time: " + removalAfter + " after deprecation (the ledger's removal_date)", List.of()),
        new PlanPhase("approve", List.of(), "approval: zdm approve (moves the table aside; it stays restorable"
            + " for " + retention + ")", List.of()),
        new PlanPhase("move aside", List.of(
            "CREATE SCHEMA IF NOT EXISTS " + Identifiers.quote(archive.schema())
                + "  -- <ledger schema>_archive when zdm's ledger is not in public",
            "ALTER TABLE " + t + " RENAME TO <archive name>; ALTER TABLE <archive name> SET SCHEMA "
                + Identifiers.quote(archive.schema()) + "  -- one transaction, lock_timeout "
                + options.lockTimeout().toMillis() + " ms, retried: a rename, no data copied; owner,"
                + " grants, indexes, constraints, triggers, policies and owned sequences go with it",
            "COMMENT ON TABLE " + a + " IS 'zdm migration <id>: table " + step.table().displayName()
                + " moved aside'"),
            null,
            List.of("ALTER TABLE " + a + " SET SCHEMA " + Identifiers.quote(step.table().schema())
                + "; ALTER TABLE <archive name> RENAME TO " + Identifiers.quote(step.table().name())
                + "  -- refused if " + step.table().displayName() + " exists again")),
        new PlanPhase("keep for the retention period", List.of(),
            "time: " + retention + " after the move (zdm rollback moves it back until then)", List.of()),
        new PlanPhase("fidelity check", List.of("the table under the archive name is the one zdm moved (same"
            + " OID, zdm's comment) and no view or foreign key depends on it; otherwise stop here, undone"),
            null, List.of()),
        new PlanPhase("drop", List.of("DROP TABLE " + a + "  -- no CASCADE; lock_timeout "
            + options.lockTimeout().toMillis() + " ms, retried. Types the table used (enums, domains,"
            + " composite types) stay: drop them in a later migration"), null, List.of(), true));
  }

  /**
   * The table must be a plain table (or gone under IF EXISTS, or moved or dropped by this migration),
   * and nothing the file does not drop first may depend on it.
   */
  @Override
  public void validate(DropTableStep drop, PlanCheck check) throws SQLException {
    TableRef table = drop.table();
    Optional<DroppableTable> found = DroppableTable.find(check.connection(), table);
    if (found.isEmpty()) {
      if (drop.ifExists() || deprecatedByThisMigration(check, drop)) {
        return;
      }
      throw PlanCheck.refuse(drop.line(), "table " + table.displayName() + " does not exist"
          + " (DROP TABLE IF EXISTS drops it only if it does)");
    }
    Optional<String> refusal = found.get().refusal(table);
    if (refusal.isPresent()) {
      throw PlanCheck.refuse(drop.line(), refusal.get());
    }
    List<TableDependents.Dependent> blocking = TableDependents.of(check.connection(), found.get().oid()).stream()
        .filter(dependent -> !droppedFirst(drop, dependent))
        .toList();
    if (!blocking.isEmpty()) {
      throw PlanCheck.refuse(drop.line(), blockingMessage(table, blocking));
    }
  }

  /** The refusal that names what still points at the table and how to drop it first. */
  static String blockingMessage(TableRef table, List<TableDependents.Dependent> blocking) {
    StringBuilder message = new StringBuilder("cannot drop table " + table.displayName() + ": ");
    message.append(String.join(", ", blocking.stream()
        .map(dependent -> dependent.describe() + (dependent.constraint() == null ? " reads it" : " points at it"))
        .toList()));
    message.append(". zdm never drops with CASCADE: drop ")
        .append(blocking.size() == 1 ? "it" : "them")
        .append(" earlier in the same file (");
    message.append(String.join(" ", blocking.stream().map(DropTablePlanning::dropStatement).toList()));
    message.append("), or keep the table");
    return message.toString();
  }

  private static String dropStatement(TableDependents.Dependent dependent) {
    return dependent.constraint() == null
        ? "DROP " + dependent.kind().toUpperCase(java.util.Locale.ROOT) + " " + Identifiers.quote(dependent.relation()) + ";"
        : "ALTER TABLE " + Identifiers.quote(dependent.relation()) + " DROP CONSTRAINT "
            + Identifiers.quote(dependent.constraint()) + ";";
  }

  /** A view or foreign key the file drops before the table, or whose table the file drops before. */
  static boolean droppedFirst(DropTableStep drop, TableDependents.Dependent dependent) {
    return drop.droppedFirst().contains(dependent.key())
        || drop.droppedFirst().contains(dependent.relation().displayName());
  }

  /** Started again after the Temporal server lost its state: the table may be moved aside or dropped already. */
  private static boolean deprecatedByThisMigration(PlanCheck check, DropTableStep drop) throws SQLException {
    String sql =
        """
        SELECT 1 FROM %s
         WHERE migration_id = ? AND table_schema = ? AND table_name = ? AND column_name IS NULL
           AND (status = 'removed' OR archive_table IS NOT NULL)
        """.formatted(check.ledger().qualified("_migration_deprecations"));
    try (PreparedStatement statement = check.connection().prepareStatement(sql)) {
      statement.setString(1, check.migrationId());
      statement.setString(2, drop.table().schema());
      statement.setString(3, drop.table().name());
      try (ResultSet row = statement.executeQuery()) {
        return row.next();
      }
    }
  }
}
