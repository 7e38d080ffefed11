package dev.zdm.analysis;

import java.util.Arrays;

/**
 * The zero-downtime way to make a change, as named in {@code zdm analyze} output. Declared from
 * the most to the least encompassing: a file's recommendation is the first one any of its
 * statements needs (a file that needs a blue-green copy does not also need its own dual-write).
 */
public enum RecommendedStrategy {
  BLUE_GREEN("blue-green"),
  DUAL_WRITE("dual-write"),
  EXPAND_CONTRACT("expand-contract"),
  PROGRESSIVE("progressive"),
  NOT_VALID_VALIDATE("not-valid-validate"),
  CONCURRENT_INDEX("concurrent-index"),
  NONE("none");

  private final String displayName;

  RecommendedStrategy(String displayName) {
    this.displayName = displayName;
  }

  public String displayName() {
    return displayName;
  }

  public static RecommendedStrategy fromDisplayName(String name) {
    return Arrays.stream(values()).filter(s -> s.displayName.equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown strategy " + name));
  }

  /** The more encompassing of the two. */
  public RecommendedStrategy dominant(RecommendedStrategy other) {
    return other.ordinal() < ordinal() ? other : this;
  }
}
