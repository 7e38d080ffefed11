package dev.zdm.client;

import dev.zdm.model.MigrationResult;
import dev.zdm.model.plan.Plan;

/**
 * What {@code zdm start} did: the workflow it started, the plan the worker made, and with
 * {@code --wait} how it ended (null otherwise).
 */
public record StartResult(
    String id, String workflowId, String runId, String webUi, Plan plan, MigrationResult result) {}
