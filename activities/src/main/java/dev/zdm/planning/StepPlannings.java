package dev.zdm.planning;

import dev.zdm.model.MigrationOptions;
import dev.zdm.model.plan.PlanStep;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry of {@link StepPlanning}s: {@code zdm plan} and the validation at {@code zdm start}
 * dispatch through it, so a new kind of step is its own class plus one line in {@link #all()}.
 * It refuses at construction a list that misses a permitted kind of the sealed {@link PlanStep}
 * or has two for one (docs/decisions/0311).
 */
public final class StepPlannings {
  private final Map<Class<? extends PlanStep>, StepPlanning<?>> byStepType = new LinkedHashMap<>();

  public StepPlannings(List<StepPlanning<?>> kinds) {
    for (StepPlanning<?> kind : kinds) {
      if (byStepType.put(kind.stepType(), kind) != null) {
        throw new IllegalArgumentException(
            "Two plannings describe plan steps of kind " + kind.stepType().getSimpleName());
      }
    }
    for (Class<?> kind : PlanStep.class.getPermittedSubclasses()) {
      if (!byStepType.containsKey(kind)) {
        throw new IllegalArgumentException(
            "zdm plan cannot show plan steps of kind " + kind.getSimpleName()
                + ": add its StepPlanning to StepPlannings.all()");
      }
    }
  }

  /** The one place that lists every kind of plan step zdm plans: add a kind here. */
  public static StepPlannings all() {
    return new StepPlannings(List.of(
        new DirectPlanning(),
        new ExpandContractPlanning(),
        new DualWritePlanning(),
        new ProgressiveDmlPlanning(),
        new ConcurrentIndexPlanning(),
        new ConstraintPlanning(),
        new BlueGreenPlanning(),
        new FeatureFlagPlanning(),
        new DropTablePlanning()));
  }

  public List<PlanPhase> phases(PlanStep step, MigrationOptions options) {
    return planningOf(step).phasesTyped(step, options);
  }

  public void validate(PlanStep step, PlanCheck check) throws SQLException {
    planningOf(step).validateTyped(step, check);
  }

  public boolean readsEveryRow(PlanStep step) {
    return planningOf(step).readsEveryRowTyped(step);
  }

  private Typed<?> planningOf(PlanStep step) {
    StepPlanning<?> kind = byStepType.get(step.getClass());
    if (kind == null) {
      throw new IllegalArgumentException(
          "No planning describes plan steps of kind " + step.getClass().getSimpleName());
    }
    return new Typed<>(kind);
  }

  /** Binds the step to its planning's type once, checked, instead of casting at every call. */
  private record Typed<S extends PlanStep>(StepPlanning<S> kind) {
    List<PlanPhase> phasesTyped(PlanStep step, MigrationOptions options) {
      return kind.phases(kind.stepType().cast(step), options);
    }

    void validateTyped(PlanStep step, PlanCheck check) throws SQLException {
      kind.validate(kind.stepType().cast(step), check);
    }

    boolean readsEveryRowTyped(PlanStep step) {
      return kind.readsEveryRow(kind.stepType().cast(step));
    }
  }
}
