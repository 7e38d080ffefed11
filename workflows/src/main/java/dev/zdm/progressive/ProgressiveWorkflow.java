package dev.zdm.progressive;

import dev.zdm.model.MigrationResult;
import dev.zdm.workflow.StrategyWorkflowControls;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** The guide's strategy 3: large data changes in batches, indexes and constraints without long locks. */
@WorkflowInterface
public interface ProgressiveWorkflow extends StrategyWorkflowControls {

  @WorkflowMethod(name = "Progressive")
  MigrationResult run(ProgressiveRequest request);
}
