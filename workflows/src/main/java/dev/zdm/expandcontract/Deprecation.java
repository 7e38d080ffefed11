package dev.zdm.expandcontract;

/**
 * A deprecation as the ledger holds it; when the workflow is started again after the Temporal
 * server lost its state, the removal date comes from here, not from a new clock reading.
 */
public record Deprecation(long deprecatedAtEpochMillis, long removalDateEpochMillis, boolean alreadyRemoved) {}
