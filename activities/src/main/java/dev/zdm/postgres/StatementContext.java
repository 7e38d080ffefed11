package dev.zdm.postgres;

import dev.zdm.engine.activities.CurrentAttempt;
import dev.zdm.model.MigrationOptions;
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

  /**
   * A step of a migration: in a transaction, with the migration's lock_timeout and
   * statement_timeout, on the running activity's attempt.
   */
  public static StatementContext forStep(
      String migrationId, String description, MigrationOptions options) {
    return new StatementContext(
        migrationId,
        description,
        true,
        options.lockTimeout(),
        options.statementTimeout(),
        CurrentAttempt.number());
  }

  /** Data steps (batches, copies, scans) may run longer than a schema change. */
  public StatementContext withStatementTimeout(Duration value) {
    return new StatementContext(migrationId, description, transactional, lockTimeout, value, attempt);
  }

  /** For statements PostgreSQL refuses inside a transaction (CONCURRENTLY). */
  public StatementContext outsideTransaction() {
    return new StatementContext(
        migrationId, description, false, lockTimeout, statementTimeout, attempt);
  }

  /** lock_timeout 0: wait for the lock as long as the statement may run. */
  public StatementContext withoutLockTimeout() {
    return new StatementContext(
        migrationId, description, transactional, Duration.ZERO, statementTimeout, attempt);
  }
}
