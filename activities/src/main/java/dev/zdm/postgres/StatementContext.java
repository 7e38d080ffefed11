package dev.zdm.postgres;

import java.time.Duration;

/**
 * How the runner must run a piece of work: on whose behalf, with which timeouts, in a transaction
 * or not, and which attempt this is (for the retry delay).
 */
public record StatementContext(
    String migrationId,
    String description,
    boolean transactional,
    Duration lockTimeout,
    Duration statementTimeout,
    int attempt) {

  /** lock_timeout 0: wait for the lock as long as the statement may run. */
  public StatementContext withoutLockTimeout() {
    return new StatementContext(
        migrationId, description, transactional, Duration.ZERO, statementTimeout, attempt);
  }
}
