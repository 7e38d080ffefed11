package dev.zdm.temporalclient;

import io.temporal.api.enums.v1.WorkflowExecutionStatus;

/** Temporal's execution status as the JSON contract spells it: RUNNING, COMPLETED, FAILED, ... */
public final class ExecutionStates {
  private ExecutionStates() {}

  public static String name(WorkflowExecutionStatus status) {
    String name = status.name();
    String prefix = "WORKFLOW_EXECUTION_STATUS_";
    return name.startsWith(prefix) ? name.substring(prefix.length()) : name;
  }
}
