package dev.zdm.workflow;

import io.temporal.workflow.Workflow;

/**
 * The command sequence one workflow run follows, fixed when the run starts by a version marker
 * (docs/decisions/0010). A run that began on the first release replays with
 * {@link #FIRST_RELEASE} and keeps that release's steps to its end, so a migration waiting out its
 * removal date survives a worker upgrade; every new run takes the newest sequence.
 */
public record WorkflowRelease(int version) {
  /** The one change id every zdm workflow asks for, first thing in its run. */
  public static final String CHANGE_ID = "zdm-operation-model";
  /** Release 0.1: Saga continuing past failed undos, no plan-level saga. */
  public static final int FIRST_RELEASE = Workflow.DEFAULT_VERSION;
  /**
   * Compensations that always run (detached, breaker-guarded, retried, truthful), cancellation
   * however it arrives, a saga across the plan's steps, children cancelled with the parent, a
   * rollback kept across continue-as-new, status published only on real change.
   */
  public static final int OPERATION_MODEL = 1;
  public static final int NEWEST = OPERATION_MODEL;

  /** Call first in a workflow method, before any other command. */
  public static WorkflowRelease ofThisRun() {
    return new WorkflowRelease(Workflow.getVersion(CHANGE_ID, FIRST_RELEASE, NEWEST));
  }

  /** For code paths that exist only in the first release's runs. */
  public static WorkflowRelease first() {
    return new WorkflowRelease(FIRST_RELEASE);
  }

  public boolean operationModel() {
    return version >= OPERATION_MODEL;
  }
}
