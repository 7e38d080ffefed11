package dev.zdm.temporal;

import dev.zdm.model.Strategy;

/** Task queue and workflow-id conventions shared by the worker, the workflows and the CLI. */
public final class ZdmNames {
  public static final String DEFAULT_TASK_QUEUE = "zdm-migrations";
  public static final String WORKFLOW_ID_PREFIX = "zdm-";

  private ZdmNames() {}

  /** {@code users-drop} and {@code zdm-users-drop} both name migration {@code users-drop}. */
  public static String migrationId(String idOrWorkflowId) {
    return idOrWorkflowId.startsWith(WORKFLOW_ID_PREFIX)
        ? idOrWorkflowId.substring(WORKFLOW_ID_PREFIX.length())
        : idOrWorkflowId;
  }

  public static String workflowId(String idOrWorkflowId) {
    return WORKFLOW_ID_PREFIX + migrationId(idOrWorkflowId);
  }

  public static String childWorkflowId(String migrationId, int stepNumber, String kind) {
    return WORKFLOW_ID_PREFIX + migrationId + "-" + stepNumber + "-" + kind;
  }

  public static String childWorkflowId(String migrationId, int stepNumber, Strategy strategy) {
    return childWorkflowId(migrationId, stepNumber, strategy.cliName());
  }
}
