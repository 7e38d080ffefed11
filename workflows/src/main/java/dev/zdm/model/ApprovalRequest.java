package dev.zdm.model;

/** Who approves the next irreversible step, and why; recorded in the history. */
public record ApprovalRequest(String approvedBy, String comment) {}
