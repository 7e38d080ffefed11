package dev.zdm.migration;

import static dev.zdm.fakes.FakeTemporal.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.backfill.BatchControl;
import dev.zdm.fakes.FakeTemporal;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.TableRef;
import dev.zdm.model.ThrottleRequest;
import dev.zdm.model.WaitingFor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The blue-green copy and the expand-contract archive are passes of the batch engine: `zdm pause`,
 * `resume` and `throttle` are accepted while they run and reach the engine's control row, and the
 * pass goes on from where it paused.
 */
class BatchedCopyControlsTest {
  private static final TableRef USERS = TableRef.of("users");

  private final FakeTemporal temporal = new FakeTemporal();

  @AfterEach
  void tearDown() {
    temporal.close();
  }

  @Test
  void theBlueGreenCopyPausesResumesAndIsThrottled() throws Exception {
    String copy = FakeTemporal.BLUE_GREEN_COPY;
    MigrationWorkflow workflow = temporal.startBlueGreenInItsCopy("bg-controls", USERS);

    pauseThrottleAndResume(workflow, copy);

    assertThat(temporal.resultOf(workflow, MigrationResult.class).outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(temporal.script.calls())
        .containsSubsequence(copy, "SetBatchControl paused", copy,
            "BackfillChunk blue-green-step-1-verify", "BlueGreenSwitch", "BlueGreenDropOld")
        .doesNotContain("BlueGreenCopy", "BlueGreenVerify");
    assertThat(temporal.script.count(copy)).isEqualTo(2);
  }

  @Test
  void theArchiveCopyPausesResumesAndIsThrottled() throws Exception {
    String archive = "BackfillChunk expand-contract-step-1-archive";
    temporal.activities.runBatches(archive);
    MigrationWorkflow workflow = temporal.startExpandContractPastItsGate("ec-controls", USERS, "legacy");
    temporal.script.awaitCall(archive);

    pauseThrottleAndResume(workflow, archive);

    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);
    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(temporal.script.calls())
        .containsSubsequence("CreateKeptArchive", archive, "SetBatchControl paused", archive,
            "VerifyBackfill expand-contract-step-1-archive", "DropColumnWithKeptArchive")
        .doesNotContain("ArchiveColumn", "CreateArchive", "DropColumn");
  }

  /** Throttle, pause (the chunk returns at its next batch), resume; then the pass may end. */
  private void pauseThrottleAndResume(MigrationWorkflow workflow, String chunk) throws Exception {
    awaitStatus(workflow, s -> s.pausable());
    assertThat(workflow.throttleBatches(new ThrottleRequest(500, 50))).startsWith("Throttled");
    awaitControl(c -> !c.paused() && Integer.valueOf(500).equals(c.batchSize())
        && Integer.valueOf(50).equals(c.delayMs()));

    assertThat(workflow.pauseBatches()).startsWith("Paused");
    awaitStatus(workflow, s -> WaitingFor.RESUME.equals(s.waitingFor()));
    assertThat(temporal.activities.controls()).last()
        .as("paused, and the throttle still holds").isEqualTo(new BatchControl(
            temporal.activities.controls().get(0).migrationId(), true, 500, 50));
    assertThat(temporal.script.count(chunk)).as("no chunk runs while paused").isEqualTo(1);

    temporal.activities.finishPass(chunk);
    assertThat(workflow.resumeBatches()).startsWith("Resumed");
  }

  private void awaitControl(java.util.function.Predicate<BatchControl> written) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (temporal.activities.controls().stream().noneMatch(written)) {
      assertThat(System.nanoTime()).as("controls so far: %s", temporal.activities.controls())
          .isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
