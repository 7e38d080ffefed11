package dev.zdm.progressive;

import dev.zdm.model.MigrationResult;
import dev.zdm.model.Strategy;
import dev.zdm.operation.StepRun;
import dev.zdm.workflow.ZdmActivityOptions;
import io.temporal.workflow.Async;
import io.temporal.workflow.Workflow;

/** The progressive workflow as the child of a plan step, and the activities that undo its steps. */
final class ProgressiveChild {
  private ProgressiveChild() {}

  static MigrationResult run(StepRun run, ProgressiveRequest request) {
    return run.runChild(Strategy.PROGRESSIVE, ProgressiveWorkflow.class,
        child -> Async.function(child::run, request));
  }

  static ProgressiveActivities undoActivities(StepRun run) {
    return Workflow.newActivityStub(ProgressiveActivities.class, ZdmActivityOptions.ddl(run.release()));
  }
}
