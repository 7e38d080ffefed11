package dev.zdm.error;

/**
 * The one exception zdm's own code throws for errors a user can act on: its message says what
 * happened, its hint what to do, and its code decides the exit code.
 */
public class ZdmException extends RuntimeException {
  private final ErrorCode code;
  private final String hint;

  public ZdmException(ErrorCode code, String message) {
    this(code, message, null, null);
  }

  public ZdmException(ErrorCode code, String message, String hint) {
    this(code, message, hint, null);
  }

  public ZdmException(ErrorCode code, String message, String hint, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.hint = hint;
  }

  public ErrorCode code() {
    return code;
  }

  /** One sentence on what to do, or null. */
  public String hint() {
    return hint;
  }

  public static ZdmException badInput(String message) {
    return new ZdmException(ErrorCode.BAD_INPUT, message);
  }
}
