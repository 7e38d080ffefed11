package dev.zdm.operation;

import dev.zdm.model.MigrationResult;
import dev.zdm.model.plan.PlanStep;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The registry of step operations: the parent dispatches through it and the worker registers the
 * strategy workflows it lists, so a new kind of step is its own files plus one line where the
 * registry is built.
 */
public final class StepOperations {
  private final Map<Class<? extends PlanStep>, StepOperation<?>> byStepType = new LinkedHashMap<>();

  public StepOperations(List<StepOperation<?>> operations) {
    for (StepOperation<?> operation : operations) {
      if (byStepType.put(operation.stepType(), operation) != null) {
        throw new IllegalArgumentException(
            "Two operations run plan steps of kind " + operation.stepType().getSimpleName());
      }
    }
    for (Class<?> kind : PlanStep.class.getPermittedSubclasses()) {
      if (!byStepType.containsKey(kind)) {
        throw new IllegalArgumentException(
            "No operation runs plan steps of kind " + kind.getSimpleName());
      }
    }
  }

  public MigrationResult run(StepRun run, PlanStep step) {
    return operationFor(step).runTyped(run, step);
  }

  public CompletedUndo undoAfterCompletion(StepRun run, PlanStep step) {
    return operationFor(step).undoTyped(run, step);
  }

  public List<String> deploymentStages(PlanStep step) {
    return operationFor(step).stagesTyped(step);
  }

  /** The strategy workflow implementations, for the worker's registration. */
  public List<Class<?>> workflowImplementations() {
    return byStepType.values().stream()
        .map(StepOperation::workflowImplementation)
        .filter(Objects::nonNull)
        .distinct()
        .toList();
  }

  private Typed<?> operationFor(PlanStep step) {
    StepOperation<?> operation = byStepType.get(step.getClass());
    if (operation == null) {
      throw new IllegalArgumentException(
          "No operation runs plan steps of kind " + step.getClass().getSimpleName());
    }
    return new Typed<>(operation);
  }

  /** Binds the step to its operation's type once, checked, instead of casting at every call. */
  private record Typed<S extends PlanStep>(StepOperation<S> operation) {
    MigrationResult runTyped(StepRun run, PlanStep step) {
      return operation.run(run, operation.stepType().cast(step));
    }

    List<String> stagesTyped(PlanStep step) {
      return operation.deploymentStages(operation.stepType().cast(step));
    }

    CompletedUndo undoTyped(StepRun run, PlanStep step) {
      return operation.undoAfterCompletion(run, operation.stepType().cast(step));
    }
  }
}
