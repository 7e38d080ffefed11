package dev.zdm.featureflag;

/**
 * A guard's answer: {@code value} when it ran, else {@code error} (a failure is counted, not
 * retried: three in a row trip the guard).
 */
public record GuardResult(Boolean value, String error) {
  public static GuardResult of(boolean value) {
    return new GuardResult(value, null);
  }

  public static GuardResult failed(String error) {
    return new GuardResult(null, error);
  }

  public boolean failed() {
    return error != null;
  }
}
