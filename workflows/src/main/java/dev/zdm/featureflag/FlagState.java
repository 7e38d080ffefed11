package dev.zdm.featureflag;

/**
 * A flag's row as read or written: {@code existed} false when there was no row (the rollout then
 * created it disabled at 0 %).
 */
public record FlagState(boolean existed, boolean enabled, int percentage) {

  /** The share of ids the flag admits now: 0 while it is disabled. */
  public int effectivePercentage() {
    return enabled ? percentage : 0;
  }

  public String describe() {
    if (!existed) {
      return "absent (now disabled at 0 %)";
    }
    return (enabled ? "enabled" : "disabled") + " at " + percentage + " %";
  }
}
