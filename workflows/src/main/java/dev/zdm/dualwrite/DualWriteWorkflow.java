package dev.zdm.dualwrite;

import dev.zdm.model.MigrationResult;
import dev.zdm.workflow.StrategyWorkflowControls;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** The guide's strategy 2: rename a column, change its type or add a NOT NULL column, in use. */
@WorkflowInterface
public interface DualWriteWorkflow extends StrategyWorkflowControls {

  @WorkflowMethod(name = "DualWrite")
  MigrationResult run(DualWriteRequest request);
}
