package dev.zdm.operation;

import dev.zdm.model.MigrationResult;
import dev.zdm.model.plan.PlanStep;
import java.util.List;

/**
 * One kind of plan step as the parent workflow runs it (docs/decisions/0008): how it runs, and
 * how it is undone once it has completed when the whole file is rolled back. Each kind lives in
 * its strategy's package and is listed once in {@link StepOperations}.
 *
 * @param <S> the plan step record this operation runs
 */
public interface StepOperation<S extends PlanStep> {

  Class<S> stepType();

  /** The strategy workflow implementation the worker must register; null for a direct step. */
  Class<?> workflowImplementation();

  /**
   * Runs the step. Returns the strategy workflow's result, or null for a step the parent runs
   * itself (its own statements).
   */
  MigrationResult run(StepRun run, S step);

  /**
   * How the step is undone after it has completed. A step's own partial work is undone by the
   * step itself (its strategy workflow's saga); this is what a later rollback of the file runs.
   */
  CompletedUndo undoAfterCompletion(StepRun run, S step);

  /**
   * The deployment stages the step's gates wait for ({@code zdm deployed --stage}); a stage-less
   * deployment counts for the gate awaited now. Empty when the step waits for no deployment.
   */
  default List<String> deploymentStages(S step) {
    return List.of();
  }
}
