package dev.zdm.doctor;

import com.fasterxml.jackson.annotation.JsonValue;

/** What one doctor check found: all well, something to fix, or it could not look. */
public enum CheckOutcome {
  OK("ok"),
  PROBLEM("problem"),
  /** The check could not be made (the server cannot answer it, or an earlier check failed). */
  NOT_CHECKED("not-checked");

  private final String label;

  CheckOutcome(String label) {
    this.label = label;
  }

  @JsonValue
  public String label() {
    return label;
  }
}
