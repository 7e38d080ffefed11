package dev.zdm.doctor;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/** Every check {@code zdm doctor} made, in the order it made them. */
@JsonPropertyOrder({"healthy", "problems", "notChecked", "checks"})
public record DoctorReport(List<DoctorCheck> checks) {

  public DoctorReport {
    checks = List.copyOf(checks);
  }

  /** No check found a problem (checks that could not be made are listed, not counted). */
  @JsonProperty
  public boolean healthy() {
    return checks.stream().noneMatch(DoctorCheck::isProblem);
  }

  @JsonProperty
  public long problems() {
    return count(CheckOutcome.PROBLEM);
  }

  @JsonProperty
  public long notChecked() {
    return count(CheckOutcome.NOT_CHECKED);
  }

  /** The check of that name; tests and scripts look checks up by their stable names. */
  public DoctorCheck check(String name) {
    return checks.stream()
        .filter(check -> check.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no doctor check named " + name));
  }

  private long count(CheckOutcome outcome) {
    return checks.stream().filter(check -> check.outcome() == outcome).count();
  }
}
