package dev.zdm.model;

/** A request to undo a migration before its point of no return. */
public record RollbackRequest(String requestedBy, String reason) {}
