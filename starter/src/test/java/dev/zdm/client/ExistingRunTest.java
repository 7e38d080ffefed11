package dev.zdm.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.model.Outcome;
import org.junit.jupiter.api.Test;

/** The refusal a taken migration id earns, by how its latest run stands (decision 0320). */
class ExistingRunTest {
  private static ExistingRun run(String state, Outcome outcome) {
    return new ExistingRun("m1", "zdm-m1", "r-1", state, outcome);
  }

  @Test
  void aRunningMigrationIsNamedWithItsRun() {
    ZdmException refusal = run("RUNNING", null).refusal();
    assertThat(refusal.code()).isEqualTo(ErrorCode.REFUSED);
    assertThat(refusal.code().exitCode()).isEqualTo(1);
    assertThat(refusal.getMessage()).isEqualTo("Migration m1 is already running as workflow zdm-m1 (run r-1).");
    assertThat(refusal.hint()).contains("zdm status m1").contains("--id");
  }

  @Test
  void aCompletedMigrationNeverRunsTwice() {
    ExistingRun completed = run("COMPLETED", Outcome.COMPLETED);
    assertThat(completed.completed()).isTrue();
    assertThat(completed.rolledBack()).isFalse();
    assertThat(completed.refusal().getMessage())
        .isEqualTo("Migration m1 has already completed (workflow zdm-m1, run r-1); a completed migration never runs twice.");
    assertThat(completed.refusal().hint()).doesNotContain("--rerun");
  }

  @Test
  void aRolledBackMigrationPointsAtRerun() {
    ExistingRun rolledBack = run("COMPLETED", Outcome.ROLLED_BACK);
    assertThat(rolledBack.rolledBack()).isTrue();
    assertThat(rolledBack.completed()).isFalse();
    assertThat(rolledBack.refusal().getMessage()).startsWith("Migration m1 was rolled back (workflow zdm-m1, run r-1)");
    assertThat(rolledBack.refusal().hint()).contains("--rerun");
  }

  @Test
  void aCompletedRunWhoseResultCannotBeReadCountsAsCompleted() {
    assertThat(run("COMPLETED", null).completed()).isTrue();
  }

  @Test
  void otherStatesAreNamed() {
    assertThat(run("FAILED", null).running()).isFalse();
    assertThat(run("FAILED", null).refusal().getMessage()).isEqualTo("Migration m1 already exists (workflow zdm-m1, run r-1, FAILED).");
  }
}
