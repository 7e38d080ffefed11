package dev.zdm.client;

import dev.zdm.error.ZdmException;
import java.time.Duration;

/**
 * How {@code zdm start} behaves around the start itself.
 *
 * @param waitForEnd wait until the migration ends (--wait)
 * @param planTimeout how long to wait for a worker to make the plan; the workflow stays started after it
 * @param rerun start a rolled-back migration again under its id (--rerun)
 */
public record StartOptions(boolean waitForEnd, Duration planTimeout, boolean rerun) {
  /** Long enough for a worker deployment to roll out, short enough for CI to notice none will. */
  public static final Duration DEFAULT_PLAN_TIMEOUT = Duration.ofMinutes(5);

  public StartOptions {
    planTimeout = planTimeout == null ? DEFAULT_PLAN_TIMEOUT : planTimeout;
    if (planTimeout.isNegative() || planTimeout.isZero()) {
      throw ZdmException.badInput("--wait-timeout must be positive, got " + planTimeout);
    }
  }

  public static StartOptions defaults() {
    return new StartOptions(false, DEFAULT_PLAN_TIMEOUT, false);
  }
}
