package dev.zdm.doctor;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * One check's result: its stable name (the JSON contract), the outcome, what was seen, and what
 * to do about it (null when nothing is to be done).
 */
public record DoctorCheck(String name, CheckOutcome outcome, String detail, String fix) {

  public static DoctorCheck ok(String name, String detail) {
    return new DoctorCheck(name, CheckOutcome.OK, detail, null);
  }

  /** All well, with advice that is not a problem for zdm itself. */
  public static DoctorCheck ok(String name, String detail, String advice) {
    return new DoctorCheck(name, CheckOutcome.OK, detail, advice);
  }

  public static DoctorCheck problem(String name, String detail, String fix) {
    return new DoctorCheck(name, CheckOutcome.PROBLEM, detail, fix);
  }

  public static DoctorCheck notChecked(String name, String why) {
    return new DoctorCheck(name, CheckOutcome.NOT_CHECKED, why, null);
  }

  @JsonIgnore
  public boolean isProblem() {
    return outcome == CheckOutcome.PROBLEM;
  }
}
