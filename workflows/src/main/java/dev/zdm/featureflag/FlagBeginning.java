package dev.zdm.featureflag;

/** The flag as it was before the rollout (what a rollback restores) and as it is now. */
public record FlagBeginning(FlagState before, FlagState now) {}
