package dev.zdm.client;

/** The answer to a control command (deployed, approve, rollback, pause, ...). */
public record ControlResult(String id, String workflowId, String action, String message) {}
