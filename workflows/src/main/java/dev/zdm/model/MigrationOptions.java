package dev.zdm.model;

import java.time.Duration;

/**
 * Per-migration knobs, validated once here so workflows can trust them.
 *
 * @param removalAfter how long a deprecated column stays before it may be dropped
 * @param lockTimeout how long any zdm statement may wait for a lock before it gives up and retries
 * @param statementTimeout how long a non-concurrent statement may run
 * @param requireApproval whether irreversible steps wait for {@code zdm approve}
 * @param force run even when the plan cannot be made safe
 */
public record MigrationOptions(
    Duration removalAfter,
    Duration lockTimeout,
    Duration statementTimeout,
    boolean requireApproval,
    boolean force) {

  public static final Duration DEFAULT_REMOVAL_AFTER = Duration.ofDays(30);
  public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofMillis(200);
  public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration MAX_LOCK_TIMEOUT = Duration.ofSeconds(10);

  public MigrationOptions {
    removalAfter = removalAfter == null ? DEFAULT_REMOVAL_AFTER : removalAfter;
    lockTimeout = lockTimeout == null ? DEFAULT_LOCK_TIMEOUT : lockTimeout;
    statementTimeout = statementTimeout == null ? DEFAULT_STATEMENT_TIMEOUT : statementTimeout;
    if (removalAfter.isNegative()) {
      throw new IllegalArgumentException("removalAfter must not be negative, got " + removalAfter);
    }
    if (lockTimeout.isNegative()
        || lockTimeout.isZero()
        || lockTimeout.compareTo(MAX_LOCK_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          "lockTimeout must be between 1ms and " + MAX_LOCK_TIMEOUT + ", got " + lockTimeout);
    }
    if (statementTimeout.isNegative() || statementTimeout.isZero()) {
      throw new IllegalArgumentException(
          "statementTimeout must be positive, got " + statementTimeout);
    }
  }

  public static MigrationOptions defaults() {
    return new MigrationOptions(null, null, null, true, false);
  }

  public MigrationOptions withRemovalAfter(Duration value) {
    return new MigrationOptions(value, lockTimeout, statementTimeout, requireApproval, force);
  }
}
