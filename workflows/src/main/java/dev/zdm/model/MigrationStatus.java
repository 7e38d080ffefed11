package dev.zdm.model;

import java.util.List;

/**
 * The {@code status} query's answer, shared by the parent and the strategy workflows.
 *
 * @param phase the step the migration is in, e.g. {@code deprecating}, {@code dropping}
 * @param waitingFor null, or what the workflow waits for: see {@link WaitingFor}
 * @param rollbackPossible whether {@code zdm rollback} would still restore the original schema
 * @param activeWorkflowId the strategy workflow currently running (the parent itself when none)
 * @param pausable whether the running step moves rows in batches that pause, resume and throttle
 *     act on (false for copies, index builds and validations, which cannot pause)
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
    Progress progress,
    boolean pausable) {

  public MigrationStatus(
      String migrationId, String workflowId, String strategy, String table, String phase,
      String waitingFor, String message, boolean rollbackPossible, String activeWorkflowId,
      List<StepRecord> steps, Progress progress) {
    this(migrationId, workflowId, strategy, table, phase, waitingFor, message, rollbackPossible,
        activeWorkflowId, steps, progress, false);
  }

  public MigrationStatus {
    steps = steps == null ? List.of() : List.copyOf(steps);
  }
}
