package dev.zdm.cli;

import dev.zdm.doctor.CheckOutcome;
import dev.zdm.doctor.DoctorCheck;
import dev.zdm.doctor.DoctorReport;

/** The text form of {@code zdm doctor}'s report: one line per check, the fix under a problem. */
final class DoctorView {
  private DoctorView() {}

  static String text(DoctorReport report) {
    StringBuilder text = new StringBuilder();
    for (DoctorCheck check : report.checks()) {
      text.append(String.format("%-12s %-19s %s%n", label(check.outcome()), check.name(), check.detail()));
      if (check.fix() != null) {
        text.append(String.format("%-12s %-19s %s%n", "", check.isProblem() ? "fix:" : "advice:", check.fix()));
      }
    }
    text.append(report.healthy()
        ? "All well" + (report.notChecked() > 0 ? " (" + report.notChecked() + " not checked)" : "") + "."
        : report.problems() + " problem(s) to fix" + (report.notChecked() > 0 ? ", " + report.notChecked() + " not checked" : "") + ".");
    return text.toString();
  }

  private static String label(CheckOutcome outcome) {
    return switch (outcome) {
      case OK -> "ok";
      case PROBLEM -> "PROBLEM";
      case NOT_CHECKED -> "not checked";
    };
  }
}
