package dev.zdm.droptable;

import dev.zdm.model.MigrationResult;
import dev.zdm.model.Strategy;
import dev.zdm.model.WaitingFor;
import dev.zdm.model.plan.DropTableStep;
import dev.zdm.operation.CompletedUndo;
import dev.zdm.operation.StepOperation;
import dev.zdm.operation.StepRun;
import io.temporal.workflow.Async;
import java.time.Duration;
import java.util.List;

/** Dropping a table the expand-contract way, as a plan step. */
public final class DropTableOperation implements StepOperation<DropTableStep> {

  @Override
  public Class<DropTableStep> stepType() {
    return DropTableStep.class;
  }

  @Override
  public Class<?> workflowImplementation() {
    return DropTableWorkflowImpl.class;
  }

  @Override
  public MigrationResult run(StepRun run, DropTableStep step) {
    DropTableRequest request = new DropTableRequest(run.migrationId(), step.table(), step.ifExists(),
        Duration.ofSeconds(step.retentionSeconds()), run.options());
    return run.runChild(Strategy.EXPAND_CONTRACT, DropTableWorkflow.class,
        child -> Async.function(child::run, request));
  }

  @Override
  public List<String> deploymentStages(DropTableStep step) {
    return List.of(WaitingFor.DEPLOYMENT);
  }

  @Override
  public CompletedUndo undoAfterCompletion(StepRun run, DropTableStep step) {
    return new CompletedUndo.Irreversible("table " + step.table().displayName()
        + " is dropped: its retention period in the archive schema is over");
  }
}
