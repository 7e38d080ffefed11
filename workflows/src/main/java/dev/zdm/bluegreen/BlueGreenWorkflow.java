package dev.zdm.bluegreen;

import dev.zdm.model.MigrationResult;
import dev.zdm.workflow.StrategyWorkflowControls;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** The guide's strategy 4: restructure a table by building a green copy and switching names. */
@WorkflowInterface
public interface BlueGreenWorkflow extends StrategyWorkflowControls {

  @WorkflowMethod(name = "BlueGreen")
  MigrationResult run(BlueGreenRequest request);
}
