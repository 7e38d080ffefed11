package dev.zdm.activities;

/**
 * The failure types activities throw (as ApplicationFailure types) and workflows react to. Each
 * name is stable: workflows and the CLI match on it.
 */
public final class ZdmFailures {
  /** SQLSTATE 55P03: the statement gave up waiting for its lock. Retryable with backoff. */
  public static final String LOCK_TIMEOUT = "LockTimeout";
  /** The database's circuit breaker is open: the workflow waits for {@code zdm breaker reset}. */
  public static final String BREAKER_OPEN = "BreakerOpen";
  /** The migration names something that does not exist or cannot be done. Not retryable. */
  public static final String INVALID_MIGRATION = "InvalidMigration";
  /**
   * The plan has statements zdm cannot make safe (and --force was not given), or steps this
   * worker cannot run. Not retryable; the CLI exits 1.
   */
  public static final String UNSAFE_MIGRATION = "UnsafeMigration";
  /** PostgreSQL refused the statement for a reason retrying will not fix. Not retryable. */
  public static final String SQL_REFUSED = "SqlRefused";
  /**
   * PostgreSQL went away or is not answering yet (SQLSTATE class 08, 57P01-57P03): retried like
   * any transient error, not counted by the circuit breaker (docs/decisions/0420).
   */
  public static final String CONNECTION_FAILED = "ConnectionFailed";
  /** A check of copied or converted data found rows that do not match. Not retryable. */
  public static final String VERIFICATION_FAILED = "VerificationFailed";
  /**
   * Before an irreversible step the table differs from its description when the step began in
   * something the migration did not ask for (docs/decisions/0500). Not retryable.
   */
  public static final String FIDELITY_CHECK_FAILED = "FidelityCheckFailed";

  private ZdmFailures() {}
}
