package dev.zdm.workflow;

import io.temporal.workflow.Workflow;

/**
 * Whether this run checks the table's fidelity before its point of no return (docs/decisions/0500).
 * A change id of its own (0010): runs that passed their point of no return before the check
 * existed replay without it; a run that reaches it on a worker that has it records the marker and
 * runs the check.
 */
public final class FidelityRelease {
  public static final String CHANGE_ID = "zdm-fidelity-check";
  public static final int CHECKED = 1;

  private FidelityRelease() {}

  /** Ask right where the check would run, once per point of no return. */
  public static boolean checkBeforePointOfNoReturn() {
    return Workflow.getVersion(CHANGE_ID, Workflow.DEFAULT_VERSION, CHECKED) >= CHECKED;
  }
}
