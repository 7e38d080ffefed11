package dev.zdm.analysis;

import java.util.Optional;

/** Estimates how long an action holds its blocking lock; only available with a database. */
public interface DowntimeEstimator {
  Optional<DowntimeEstimate> estimate(Action action, LockFacts facts);

  /** Locks held shorter than this count as harmless when the hazard is only their duration. */
  long acceptableLockMillis();
}
