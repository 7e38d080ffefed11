package dev.zdm.engine.activities;

import io.temporal.activity.Activity;

/** The running activity's attempt number, 1 when called outside an activity (tests, tools). */
public final class CurrentAttempt {
  private CurrentAttempt() {}

  public static int number() {
    try {
      return Activity.getExecutionContext().getInfo().getAttempt();
    } catch (IllegalStateException | NullPointerException notInActivity) {
      return 1;
    }
  }
}
