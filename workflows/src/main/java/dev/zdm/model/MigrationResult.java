package dev.zdm.model;

import java.util.List;

/** What a migration (or one of its strategy workflows) returns when it ends. */
public record MigrationResult(String migrationId, Outcome outcome, String message, List<StepRecord> steps) {
  public MigrationResult {
    steps = steps == null ? List.of() : List.copyOf(steps);
  }
}
