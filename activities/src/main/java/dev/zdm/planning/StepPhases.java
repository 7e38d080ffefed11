package dev.zdm.planning;

import dev.zdm.model.MigrationOptions;
import dev.zdm.model.TableRef;
import dev.zdm.model.plan.BlueGreenStep;
import dev.zdm.model.plan.ConcurrentIndexStep;
import dev.zdm.model.plan.ConstraintStep;
import dev.zdm.model.plan.DirectStep;
import dev.zdm.model.plan.DualWriteStep;
import dev.zdm.model.plan.ExpandContractStep;
import dev.zdm.model.plan.PlanStep;
import dev.zdm.model.plan.ProgressiveDmlStep;
import dev.zdm.engine.expandcontract.ArchiveNames;
import dev.zdm.model.HumanDuration;
import dev.zdm.postgres.Identifiers;
import java.util.List;

/**
 * The phases each kind of plan step goes through, with their SQL, gates and compensations, as the
 * strategy workflows (docs/strategies) run them. Descriptive: the workflows own execution.
 */
final class StepPhases {
  private final MigrationOptions options;

  StepPhases(MigrationOptions options) {
    this.options = options;
  }

  /**
   * The phases of one step. Java 17 has no pattern switch, and a visitor would need a method on
   * every step record of the workflow contract; so one branch per permitted kind of the sealed
   * {@link PlanStep}, ending in a throw that a test (every permitted subclass renders) keeps
   * unreachable (docs/decisions/0311-plan-step-dispatch.md).
   */
  List<PlanPhase> of(PlanStep step) {
    if (step instanceof DirectStep direct) {
      return direct(direct);
    } else if (step instanceof ExpandContractStep drop) {
      return expandContract(drop);
    } else if (step instanceof DualWriteStep dualWrite) {
      return dualWrite(dualWrite);
    } else if (step instanceof ProgressiveDmlStep dml) {
      return progressive(dml);
    } else if (step instanceof ConcurrentIndexStep index) {
      return concurrentIndex(index);
    } else if (step instanceof ConstraintStep constraint) {
      return constraint(constraint);
    } else if (step instanceof BlueGreenStep blueGreen) {
      return blueGreen(blueGreen);
    }
    throw new IllegalArgumentException("zdm plan cannot show a step of kind "
        + step.getClass().getSimpleName() + ": StepPhases needs a branch for it");
  }

  private static List<PlanPhase> direct(DirectStep step) {
    List<String> sql = List.of(step.sql() + outsideTransaction(step.transactional()));
    if (!step.reversible()) {
      return List.of(new PlanPhase("run", sql, null, List.of(), true));
    }
    return List.of(phase("run", sql, null,
        List.of(step.undo().sql() + outsideTransaction(step.undo().transactional()))));
  }

  private static String outsideTransaction(boolean transactional) {
    return transactional ? "" : "  -- outside a transaction";
  }

  private List<PlanPhase> expandContract(ExpandContractStep step) {
    String t = Identifiers.quote(step.table());
    String c = Identifiers.quote(step.column());
    String archive = Identifiers.quote(ArchiveNames.archiveTable(step.table(), step.column()));
    String removalAfter = HumanDuration.format(options.removalAfter());
    return List.of(
        phase("deprecate", List.of(
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
        phase("wait for deployment", List.of(),
            "deployment: the version that no longer uses " + step.column() + " (zdm deployed)", List.of()),
        phase("wait for removal date", List.of(),
            "time: " + removalAfter + " after deprecation (the ledger's removal_date)", List.of()),
        phase("approve", List.of(), "approval: zdm approve (the drop is irreversible)", List.of()),
        phase("archive", List.of(
            "CREATE TABLE IF NOT EXISTS " + archive + " (<primary key>, " + c + ", archived_at)",
            "INSERT INTO " + archive + " SELECT <primary key>, " + c + " FROM " + t
                + " WHERE <key range> ON CONFLICT DO UPDATE  -- 10,000-row batches, each its own"
                + " transaction; then a catch-up and a check that every value is archived"),
            null,
            List.of("DROP TABLE IF EXISTS " + archive)),
        fidelityCheck("no index, constraint or view on " + step.column() + " appeared or changed since the"
            + " deprecation (it would be dropped with the column)"),
        phase("drop", List.of(
            "INSERT INTO " + archive + " ... <rows changed since>  -- last catch-up, same transaction",
            "ALTER TABLE " + t + " DROP COLUMN IF EXISTS " + c + "  -- lock_timeout "
                + options.lockTimeout().toMillis() + " ms, retried with backoff"),
            null, List.of()));
  }

  private List<PlanPhase> dualWrite(DualWriteStep step) {
    String t = Identifiers.quote(step.table());
    String n = Identifiers.quote(step.newColumn());
    String type = step.newType() == null ? "<type of " + step.oldColumn() + ">" : step.newType();
    String trigger = Identifiers.generatedName("zdm_sync_", step.table().name(), step.newColumn());
    String forward = forwardOf(step);
    List<PlanPhase> add = List.of(
        phase("add column", List.of("ALTER TABLE " + t + " ADD COLUMN " + n + " " + type), null,
            List.of("ALTER TABLE " + t + " DROP COLUMN " + n)),
        phase("sync trigger", List.of("CREATE FUNCTION " + Identifiers.quote(trigger)
                + "() RETURNS trigger LANGUAGE plpgsql: on INSERT, and on UPDATE of either column,"
                + " set NEW." + n + " from " + forward
                + (step.oldColumn() == null ? "" : " and the old column back from " + n),
            "CREATE TRIGGER " + Identifiers.quote(trigger) + " BEFORE INSERT OR UPDATE ON " + t
                + " FOR EACH ROW EXECUTE FUNCTION " + Identifiers.quote(trigger) + "()"), null,
            List.of("DROP TRIGGER " + Identifiers.quote(trigger) + " ON " + t,
                "DROP FUNCTION " + Identifiers.quote(trigger) + "()")),
        phase("backfill", List.of("UPDATE " + t + " SET " + n + " = " + forward
            + " WHERE <key range> AND " + n + " IS DISTINCT FROM " + forward
            + "  -- batches, each its own transaction"), null, List.of()),
        phase("verify", List.of("SELECT count(*) FROM " + t + " WHERE " + n
            + " IS DISTINCT FROM " + forward + "  -- must be 0"), null, List.of()));
    if (step.kind() == DualWriteStep.Kind.ADD_NOT_NULL) {
      return concat(add, constraint(AutomaticPlanner.notNull(step.table(), step.newColumn(), step.line())));
    }
    String o = Identifiers.quote(step.oldColumn());
    List<String> finish = step.kind() == DualWriteStep.Kind.RENAME
        ? List.of("DROP TRIGGER " + Identifiers.quote(trigger) + " ON " + t,
            "ALTER TABLE " + t + " DROP COLUMN " + o)
        : List.of("DROP TRIGGER " + Identifiers.quote(trigger) + " ON " + t,
            "ALTER TABLE " + t + " DROP COLUMN " + o,
            "ALTER TABLE " + t + " RENAME COLUMN " + n + " TO " + o);
    return concat(add, List.of(
        phase("switch reads", List.of(), "deployment: the version that reads " + step.newColumn(),
            List.of()),
        phase("switch writes", List.of(), "deployment: the version that writes only "
            + step.newColumn(), List.of()),
        phase("approve", List.of(), "approval: zdm approve (dropping " + step.oldColumn()
            + " is irreversible)", List.of()),
        fidelityCheck(step.table().displayName() + " as it was when the step began, apart from "
            + step.newColumn() + " and the trigger"),
        phase("contract", finish, null, List.of())));
  }

  /** The new column's value as SQL over the old column, placeholders filled in for display. */
  private static String forwardOf(DualWriteStep step) {
    if (step.forwardExpression() != null) {
      return step.oldColumn() == null ? step.forwardExpression()
          : step.forwardExpression().replace(DualWriteStep.OLD, Identifiers.quote(step.oldColumn()));
    }
    String old = Identifiers.quote(step.oldColumn());
    return step.newType() == null ? old : old + "::" + step.newType();
  }

  private List<PlanPhase> progressive(ProgressiveDmlStep step) {
    String t = Identifiers.quote(step.table());
    String where = " AND (" + step.pending() + ")";
    String sql = step.operation() == ProgressiveDmlStep.Operation.UPDATE
        ? "UPDATE " + t + " SET " + step.setClause() + " WHERE <pk> >= :from AND <pk> < :to" + where
        : "DELETE FROM " + t + " WHERE <pk> >= :from AND <pk> < :to" + where;
    return List.of(phase("batches", List.of(sql + "  -- " + step.batchSize()
            + " rows per batch, each its own transaction, " + step.delayMs()
            + " ms pause, progress in _migration_progress"),
        step.rolloutPercentage() < 100
            ? "approval: after " + step.rolloutPercentage() + "% of the key range" : null,
        List.of()),
        phase("time limit", List.of(), "time: stops after " + step.maxDurationMs() / 1000
            + " s (resumable)", List.of()));
  }

  private List<PlanPhase> concurrentIndex(ConcurrentIndexStep step) {
    String t = Identifiers.quote(step.table());
    String i = Identifiers.quote(new TableRef(step.table().schema(), step.indexName()));
    PlanPhase build = phase("build index", List.of(
            "DROP INDEX CONCURRENTLY IF EXISTS " + i + "  -- only when a failed attempt left it INVALID",
            step.createIndexSql() + "  -- outside a transaction; progress from"
                + " pg_stat_progress_create_index"), null,
        List.of("DROP INDEX CONCURRENTLY IF EXISTS " + i));
    if (step.constraintName() == null) {
      return List.of(build);
    }
    return List.of(build, phase("attach constraint", List.of("ALTER TABLE " + t
            + " ADD CONSTRAINT " + Identifiers.quote(step.constraintName()) + " "
            + step.constraintType() + " USING INDEX " + Identifiers.quote(step.indexName())), null,
        List.of("ALTER TABLE " + t + " DROP CONSTRAINT " + Identifiers.quote(step.constraintName()))));
  }

  private List<PlanPhase> constraint(ConstraintStep step) {
    String t = Identifiers.quote(step.table());
    String name = Identifiers.quote(step.constraintName());
    String definition = step.definition();
    List<PlanPhase> phases = List.of(
        phase("add NOT VALID", List.of("ALTER TABLE " + t + " ADD CONSTRAINT " + name + " "
            + definition + " NOT VALID"), null,
            List.of("ALTER TABLE " + t + " DROP CONSTRAINT IF EXISTS " + name)),
        phase("validate", List.of("ALTER TABLE " + t + " VALIDATE CONSTRAINT " + name
            + "  -- SHARE UPDATE EXCLUSIVE: reads and writes continue"), null, List.of()));
    if (step.afterValidation().isEmpty()) {
      return phases;
    }
    List<String> undo = step.kind() == ConstraintStep.Kind.NOT_NULL
        ? List.of("ALTER TABLE " + t + " ALTER COLUMN " + Identifiers.quote(step.column()) + " DROP NOT NULL")
        : List.of();
    return concat(phases, List.of(phase("set not null", step.afterValidation().stream()
        .map(sql -> sql.contains("SET NOT NULL") ? sql + "  -- no scan: the check proves it" : sql)
        .toList(), null, undo)));
  }

  private List<PlanPhase> blueGreen(BlueGreenStep step) {
    TableRef green = new TableRef(step.table().schema(),
        Identifiers.generatedName("", step.table().name(), "green"));
    TableRef old = new TableRef(step.table().schema(),
        Identifiers.generatedName("", step.table().name(), "old"));
    String t = Identifiers.quote(step.table());
    String g = Identifiers.quote(green);
    return List.of(
        phase("create green", concat(List.of("CREATE TABLE " + g + " (LIKE " + t
            + " INCLUDING ALL)"), step.greenChanges().stream()
            .map(sql -> sql + "  -- applied to " + green.displayName()).toList()), null,
            List.of("DROP TABLE " + g)),
        phase("sync", List.of("triggers on " + t + " for INSERT, UPDATE and DELETE keep " + g
            + " in step"), null, List.of("DROP TRIGGER ... ON " + t)),
        phase("copy", List.of("INSERT INTO " + g + " SELECT ... FROM " + t
            + " WHERE <key range> ON CONFLICT DO NOTHING  -- batches"), null, List.of()),
        phase("verify", List.of("compare counts and checksums of " + t + " and " + g), null,
            List.of()),
        fidelityCheck(step.table().displayName() + " as it was when the copy was made, apart from the sync"
            + " trigger"),
        phase("switch", List.of("SET lock_timeout = '" + options.lockTimeout().toMillis() + "ms'",
            "ALTER TABLE " + t + " RENAME TO " + Identifiers.quote(old.name()),
            "ALTER TABLE " + g + " RENAME TO " + Identifiers.quote(step.table().name())
                + "  -- both in one short transaction, retried"), null,
            List.of("swap the names back (reverse sync keeps " + old.displayName() + " current)")),
        phase("approve", List.of(), "approval: zdm approve (dropping " + old.displayName()
            + " is irreversible)", List.of()),
        phase("drop blue", List.of("DROP TABLE " + Identifiers.quote(old)), null, List.of()));
  }

  /** Before a point of no return: the table compared with its description (decision 0500). */
  private static PlanPhase fidelityCheck(String expected) {
    return phase("fidelity check", List.of("compare the table's catalog description with the one stored at the"
        + " step's start (_migration_table_snapshots): " + expected + "; any other difference stops here,"
        + " undone"), null, List.of());
  }

  private static PlanPhase phase(String name, List<String> sql, String gate, List<String> undo) {
    return new PlanPhase(name, sql, gate, undo);
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
