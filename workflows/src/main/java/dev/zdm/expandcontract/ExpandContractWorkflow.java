package dev.zdm.expandcontract;

import dev.zdm.model.MigrationResult;
import dev.zdm.workflow.StrategyWorkflowControls;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** The guide's strategy 1: drop a column without breaking the application that still reads it. */
@WorkflowInterface
public interface ExpandContractWorkflow extends StrategyWorkflowControls {

  @WorkflowMethod(name = "ExpandContract")
  MigrationResult run(ExpandContractRequest request);
}
