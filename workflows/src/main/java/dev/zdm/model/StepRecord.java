package dev.zdm.model;

/** One step a migration has done, for {@code zdm status} and the Web UI. */
public record StepRecord(String name, StepState state, String detail, long atEpochMillis) {

  /** Where a step ended up. */
  public enum StepState {
    DONE,
    FAILED,
    COMPENSATED
  }
}
