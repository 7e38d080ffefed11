package dev.zdm.analysis;

/**
 * Raised inside the analysis when text is not valid PostgreSQL; the caller adds the file name and
 * turns it into a file:line: reason for the user.
 */
public final class InvalidSqlException extends RuntimeException {
  private final int line;

  public InvalidSqlException(int line, String reason) {
    super(reason);
    this.line = line;
  }

  public int line() {
    return line;
  }

  /** The message a user sees: {@code file:line: reason}. */
  public String located(String sourceName) {
    return sourceName + ":" + line + ": " + getMessage();
  }
}
