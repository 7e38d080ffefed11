package dev.zdm.planning;

import dev.zdm.model.MigrationOptions;
import dev.zdm.model.plan.DualWriteStep;
import dev.zdm.postgres.Identifiers;
import java.util.List;
import java.util.Optional;

/** A column renamed, retyped or added NOT NULL through a synced shadow column. */
final class DualWritePlanning implements StepPlanning<DualWriteStep> {

  @Override
  public Class<DualWriteStep> stepType() {
    return DualWriteStep.class;
  }

  @Override
  public List<PlanPhase> phases(DualWriteStep step, MigrationOptions options) {
    if (step.kind() == DualWriteStep.Kind.DERIVED) {
      return derived(step, options);
    }
    String t = Identifiers.quote(step.table());
    String n = Identifiers.quote(step.newColumn());
    String type = step.newType() == null ? "<type of " + step.oldColumn() + ">" : step.newType();
    String trigger = Identifiers.generatedName("zdm_sync_", step.table().name(), step.newColumn());
    String forward = forwardOf(step);
    List<PlanPhase> add = List.of(
        new PlanPhase("add column", List.of("ALTER TABLE " + t + " ADD COLUMN " + n + " " + type), null,
            List.of("ALTER TABLE " + t + " DROP COLUMN " + n)),
        new PlanPhase("sync trigger", List.of("CREATE FUNCTION " + Identifiers.quote(trigger)
                + "() RETURNS trigger LANGUAGE plpgsql: on INSERT, and on UPDATE of either column,"
                + " set NEW." + n + " from " + forward
                + (step.oldColumn() == null ? "" : " and the old column back from " + n),
            "CREATE TRIGGER " + Identifiers.quote(trigger) + " BEFORE INSERT OR UPDATE ON " + t
                + " FOR EACH ROW EXECUTE FUNCTION " + Identifiers.quote(trigger) + "()"), null,
            List.of("DROP TRIGGER " + Identifiers.quote(trigger) + " ON " + t,
                "DROP FUNCTION " + Identifiers.quote(trigger) + "()")),
        new PlanPhase("backfill", List.of("UPDATE " + t + " SET " + n + " = " + forward
            + " WHERE <key range> AND " + n + " IS DISTINCT FROM " + forward
            + "  -- batches, each its own transaction"), null, List.of()),
        new PlanPhase("verify", List.of("SELECT count(*) FROM " + t + " WHERE " + n
            + " IS DISTINCT FROM " + forward + "  -- must be 0"), null, List.of()));
    if (step.kind() == DualWriteStep.Kind.ADD_NOT_NULL) {
      // The shadow column is new, so nullable before: its NOT NULL phases are the constraint step's.
      return PlanPhase.concat(add, new ConstraintPlanning().phases(
          AutomaticPlanner.notNull(step.table(), step.newColumn(), step.line(), Optional.of(true)),
          options));
    }
    String o = Identifiers.quote(step.oldColumn());
    List<String> finish = step.kind() == DualWriteStep.Kind.RENAME
        ? List.of("DROP TRIGGER " + Identifiers.quote(trigger) + " ON " + t,
            "ALTER TABLE " + t + " DROP COLUMN " + o,
            "ALTER INDEX zdm_carry_<hash>_<name> RENAME TO <name>; ADD CONSTRAINT <name> UNIQUE USING INDEX ...;"
                + " RENAME CONSTRAINT ...  -- the carried copies take the original names")
        : List.of("DROP TRIGGER " + Identifiers.quote(trigger) + " ON " + t,
            "ALTER TABLE " + t + " DROP COLUMN " + o,
            "ALTER TABLE " + t + " RENAME COLUMN " + n + " TO " + o,
            "ALTER INDEX zdm_carry_<hash>_<name> RENAME TO <name>; ADD CONSTRAINT <name> UNIQUE USING INDEX ...;"
                + " RENAME CONSTRAINT ...  -- the carried copies take the original names");
    return PlanPhase.concat(add, List.of(
        new PlanPhase("carry over", List.of("CREATE INDEX CONCURRENTLY zdm_carry_<hash>_<name> ON " + t
                + " ... (" + n + " ...)  -- each index on " + o + ", definition kept",
            "ALTER TABLE " + t + " ADD CONSTRAINT zdm_carry_<hash>_<name> ... NOT VALID; VALIDATE CONSTRAINT"
                + "  -- each CHECK and foreign key on " + o,
            "GRANT ... (" + n + ") ON " + t + "  -- each column grant on " + o), null,
            List.of("dropped with " + n)),
        new PlanPhase("switch reads", List.of(), "deployment: the version that reads " + step.newColumn(),
            List.of()),
        new PlanPhase("switch writes", List.of(), "deployment: the version that writes only "
            + step.newColumn(), List.of()),
        new PlanPhase("approve", List.of(), "approval: zdm approve (dropping " + step.oldColumn()
            + " is irreversible)", List.of()),
        PlanPhase.fidelityCheck(step.table().displayName() + " as it was when the step began, apart from "
            + step.newColumn() + ", the trigger and the carried copies (each must be there and valid)"),
        new PlanPhase("contract", finish, null, List.of())));
  }

  /**
   * A derived column (decision 0550): the trigger exists before any row is filled and stays
   * afterwards, so no write of any application version leaves the column stale or NULL; there is
   * no deployment gate and nothing irreversible is dropped.
   */
  private static List<PlanPhase> derived(DualWriteStep step, MigrationOptions options) {
    String t = Identifiers.quote(step.table());
    String n = Identifiers.quote(step.newColumn());
    String trigger = Identifiers.quote(Identifiers.generatedName("~zdm_derive_", step.table().name(),
        step.newColumn()));
    String expression = step.forwardExpression();
    List<PlanPhase> fill = List.of(
        new PlanPhase("add column", List.of("ALTER TABLE " + t + " ADD COLUMN " + n + " "
            + step.newType()), null, List.of("ALTER TABLE " + t + " DROP COLUMN " + n)),
        new PlanPhase("derivation trigger", List.of("CREATE FUNCTION " + trigger + "() RETURNS"
                + " trigger LANGUAGE plpgsql: on INSERT that leaves " + n + " NULL, and on UPDATE of"
                + " the columns it reads that does not change " + n + ", set NEW." + n + " = "
                + expression + " computed over NEW",
            "CREATE TRIGGER " + trigger + " BEFORE INSERT OR UPDATE OF <columns " + expression
                + " reads> ON " + t + " FOR EACH ROW EXECUTE FUNCTION " + trigger + "()"), null,
            List.of("DROP TRIGGER " + trigger + " ON " + t, "DROP FUNCTION " + trigger + "()")),
        new PlanPhase("backfill", List.of("UPDATE " + t + " SET " + n + " = (" + expression
            + ") WHERE <key range> AND " + n + " IS DISTINCT FROM (" + expression
            + ")  -- batches, each its own transaction"), null, List.of()),
        new PlanPhase("verify", List.of("SELECT count(*) FROM " + t + " WHERE " + n
            + " IS DISTINCT FROM (" + expression + ")  -- must be 0"), null, List.of()));
    List<PlanPhase> notNull = new ConstraintPlanning().phases(
        AutomaticPlanner.notNull(step.table(), step.newColumn(), step.line(), Optional.of(true)), options);
    return PlanPhase.concat(PlanPhase.concat(fill, notNull), List.of(
        new PlanPhase("keep trigger", List.of("COMMENT ON FUNCTION " + trigger + "() IS '<why it"
            + " stays>'  -- the trigger is part of the schema from here: old and new application"
            + " versions may write rows without " + n), null, List.of(), true)));
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

  @Override
  public boolean readsEveryRow(DualWriteStep step) {
    return true;
  }
}
