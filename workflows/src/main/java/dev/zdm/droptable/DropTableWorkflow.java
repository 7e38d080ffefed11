package dev.zdm.droptable;

import dev.zdm.model.MigrationResult;
import dev.zdm.workflow.StrategyWorkflowControls;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** Drop a table without breaking the application that may still read it (docs/decisions/0540). */
@WorkflowInterface
public interface DropTableWorkflow extends StrategyWorkflowControls {

  @WorkflowMethod(name = "DropTable")
  MigrationResult run(DropTableRequest request);
}
