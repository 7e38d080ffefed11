package dev.zdm.planning;

import dev.zdm.model.MigrationOptions;
import dev.zdm.model.plan.PlanStep;
import java.sql.SQLException;
import java.util.List;

/**
 * The engine side of one kind of plan step before it runs (the workflow side is its
 * {@code StepOperation}, docs/decisions/0008): the phases {@code zdm plan} shows, and what
 * {@code zdm start} checks against the catalog. Each kind is listed once in {@link StepPlannings}.
 *
 * @param <S> the plan step record this kind describes
 */
public interface StepPlanning<S extends PlanStep> {

  Class<S> stepType();

  /** The step's phases with their SQL, gates and compensations, as its workflow runs them. */
  List<PlanPhase> phases(S step, MigrationOptions options);

  /**
   * Refuses (exit 2, {@link PlanCheck#refuse}) a step the catalog shows cannot run as planned.
   * Kinds whose statements PostgreSQL checks itself when they run need nothing here.
   */
  default void validate(S step, PlanCheck check) throws SQLException {}

  /**
   * Whether the step reads or rewrites every row of its table (a copy, backfill, batched change or
   * archive): such a step must see rows row-level security would hide, so {@code zdm start}
   * refuses it up front where a policy applies to zdm's role ({@link RowSecurityCheck}).
   */
  default boolean readsEveryRow(S step) {
    return false;
  }
}
