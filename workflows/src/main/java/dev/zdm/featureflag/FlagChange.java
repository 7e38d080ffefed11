package dev.zdm.featureflag;

/**
 * One change of a flag: its row and a history row written in one transaction. {@code sequence}
 * numbers the rollout's changes (0 is the start), so a retried activity finds its history row and
 * writes nothing twice.
 */
public record FlagChange(
    String migrationId,
    String workflowId,
    int sequence,
    String flag,
    boolean enabled,
    int percentage,
    String changedBy,
    String reason) {}
