package dev.zdm.model;

import java.util.List;

/**
 * The {@code status} query's answer, shared by the parent and the strategy workflows.
 *
 * @param phase the step the migration is in, e.g. {@code deprecating}, {@code dropping}
 * @param waitingFor null, or what the workflow waits for: see {@link WaitingFor}
 * @param rollbackPossible whether {@code zdm rollback} would still restore the original schema
 * @param activeWorkflowId the strategy workflow currently running (the parent itself when none)
 */
public record MigrationStatus(
    String migrationId,
    String workflowId,
    String strategy,
    String table,
    String phase,
    String waitingFor,
    String message,
    boolean rollbackPossible,
    String activeWorkflowId,
    List<StepRecord> steps,
    Progress progress) {

  public MigrationStatus {
    steps = steps == null ? List.of() : List.copyOf(steps);
  }
}
