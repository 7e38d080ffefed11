package dev.zdm.client;

import dev.zdm.model.Progress;
import dev.zdm.model.StepRecord;
import java.time.Instant;
import java.util.List;

/**
 * What {@code zdm status ID --json} prints: the contract release tooling builds on (see
 * docs/cli.md). {@code state} is Temporal's execution status; the rest comes from the workflow.
 *
 * @param failure why the migration failed, when {@code state} is FAILED
 * @param retrying the step being retried right now and why (e.g. a lock timeout), or null
 */
public record MigrationView(
    String id,
    String workflowId,
    String runId,
    String strategy,
    String table,
    String state,
    String phase,
    String waitingFor,
    String message,
    boolean rollbackPossible,
    String activeWorkflowId,
    Instant startedAt,
    Instant closedAt,
    List<StepRecord> steps,
    Progress progress,
    String failure,
    String retrying) {}
