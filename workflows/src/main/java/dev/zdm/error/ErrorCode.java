package dev.zdm.error;

/** Stable error codes; each maps to one exit code of the {@code zdm} command. */
public enum ErrorCode {
  /** The migration ran and failed, or was refused as unsafe. */
  MIGRATION_FAILED(1),
  /** Refused: a request that does not fit the migration's state (nothing awaits approval, ...). */
  REFUSED(1),
  /** Gave up waiting (no worker made the plan in time); what was started stays started. */
  TIMED_OUT(1),
  /** An answer zdm did not expect (a bug, or a server it does not know): the message says what. */
  UNEXPECTED(1),
  /** Bad input: unreadable file, invalid SQL or metadata, unknown table or column, bad flag. */
  BAD_INPUT(2),
  /** Temporal or PostgreSQL could not be reached. */
  UNREACHABLE(3);

  private final int exitCode;

  ErrorCode(int exitCode) {
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
