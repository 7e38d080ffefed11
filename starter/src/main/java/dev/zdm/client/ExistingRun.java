package dev.zdm.client;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.model.Outcome;

/**
 * The latest run of a migration id, as {@code zdm start} finds it when the id is taken, and the
 * refusal it earns. A running migration and a completed one keep their id; a rolled-back one may
 * run again under it only when asked ({@code --rerun}); failed, cancelled, terminated and
 * timed-out runs never block a start (the workflow-id reuse policy lets them through).
 *
 * @param state Temporal's execution status as the JSON contract spells it (RUNNING, COMPLETED, ...)
 * @param outcome how a COMPLETED run ended, or null when unknown or not completed
 */
record ExistingRun(String migrationId, String workflowId, String runId, String state, Outcome outcome) {

  boolean running() {
    return "RUNNING".equals(state);
  }

  boolean rolledBack() {
    return "COMPLETED".equals(state) && outcome == Outcome.ROLLED_BACK;
  }

  boolean completed() {
    return "COMPLETED".equals(state) && outcome != Outcome.ROLLED_BACK;
  }

  /** Why this run keeps a new start with the same id from running. */
  ZdmException refusal() {
    String run = "workflow " + workflowId + ", run " + runId;
    if (running()) {
      return new ZdmException(
          ErrorCode.REFUSED,
          "Migration " + migrationId + " is already running as workflow " + workflowId + " (run " + runId + ").",
          "Watch it with `zdm status " + migrationId + "`, or start this one with another --id.");
    }
    if (rolledBack()) {
      return new ZdmException(
          ErrorCode.REFUSED,
          "Migration " + migrationId + " was rolled back (" + run + "); it does not start again by accident.",
          "Start it again under the same id with --rerun, or give it another --id.");
    }
    if (completed()) {
      return new ZdmException(
          ErrorCode.REFUSED,
          "Migration " + migrationId + " has already completed (" + run + "); a completed migration never runs twice.",
          "Its change is in the database: write a new migration for a further change, or start this file with another --id.");
    }
    return new ZdmException(
        ErrorCode.REFUSED,
        "Migration " + migrationId + " already exists (" + run + ", " + state + ").",
        "See `zdm status " + migrationId + "`, or start this one with another --id.");
  }
}
