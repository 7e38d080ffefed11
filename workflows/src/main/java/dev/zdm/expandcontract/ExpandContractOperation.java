package dev.zdm.expandcontract;

import dev.zdm.model.MigrationResult;
import dev.zdm.model.Strategy;
import dev.zdm.model.plan.ExpandContractStep;
import dev.zdm.operation.CompletedUndo;
import dev.zdm.operation.StepOperation;
import dev.zdm.operation.StepRun;
import dev.zdm.model.WaitingFor;
import io.temporal.workflow.Async;
import java.util.List;

/** Dropping a column the expand-contract way, as a plan step. */
public final class ExpandContractOperation implements StepOperation<ExpandContractStep> {

  @Override
  public Class<ExpandContractStep> stepType() {
    return ExpandContractStep.class;
  }

  @Override
  public Class<?> workflowImplementation() {
    return ExpandContractWorkflowImpl.class;
  }

  @Override
  public MigrationResult run(StepRun run, ExpandContractStep step) {
    ExpandContractRequest request =
        new ExpandContractRequest(run.migrationId(), step.table(), step.column(), run.options(),
            run.progressKey("expand-contract"));
    return run.runChild(Strategy.EXPAND_CONTRACT, ExpandContractWorkflow.class,
        child -> Async.function(child::run, request));
  }

  @Override
  public List<String> deploymentStages(ExpandContractStep step) {
    return List.of(WaitingFor.DEPLOYMENT);
  }

  @Override
  public CompletedUndo undoAfterCompletion(StepRun run, ExpandContractStep step) {
    return new CompletedUndo.Irreversible(
        "column " + step.table().displayName() + "." + step.column()
            + " is dropped; its values stay in its archive table");
  }
}
