package dev.zdm.featureflag;

/** What the rollout's first activity needs to create the flag row and remember what was there. */
public record FlagStart(String migrationId, String workflowId, String flag, String changedBy) {}
