package dev.zdm.engine.activities;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.time.Duration;
import java.util.Optional;

/**
 * The running activity's heartbeat, and a no-op when called outside an activity (tests, tools).
 * Long waits inside an activity sleep through here so the heartbeat never lapses.
 */
public final class Heartbeat {
  /** Sleeps are cut into steps this long, each followed by a heartbeat. */
  public static final Duration SLEEP_STEP = Duration.ofSeconds(1);

  private Heartbeat() {}

  public static void beat(Object details) {
    context().ifPresent(context -> context.heartbeat(details));
  }

  public static <T> Optional<T> lastDetails(Class<T> type) {
    return context().flatMap(context -> context.getHeartbeatDetails(type));
  }

  /** Sleeps, heartbeating {@code details} at least every {@link #SLEEP_STEP}. */
  public static void sleep(Duration duration, Object details) {
    long end = System.nanoTime() + duration.toNanos();
    while (true) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        return;
      }
      try {
        Thread.sleep(Math.max(1, Math.min(SLEEP_STEP.toMillis(), left / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting", e);
      }
      beat(details);
    }
  }

  private static Optional<ActivityExecutionContext> context() {
    try {
      return Optional.of(Activity.getExecutionContext());
    } catch (IllegalStateException | NullPointerException notInActivity) {
      return Optional.empty();
    }
  }
}
