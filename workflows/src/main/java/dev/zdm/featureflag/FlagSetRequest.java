package dev.zdm.featureflag;

/**
 * {@code zdm flag set}: move the rollout to {@code percentage} now.
 *
 * @param allowDecrease a lower percentage than the current one is refused without it
 */
public record FlagSetRequest(int percentage, String reason, String requestedBy, boolean allowDecrease) {}
