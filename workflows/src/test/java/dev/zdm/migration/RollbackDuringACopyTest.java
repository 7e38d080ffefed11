package dev.zdm.migration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.fakes.FakeTemporal;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.TableRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A rollback during a whole-table copy stops the copy at its next batch (the engine reads the
 * control row before each) and undoes; release 0.1 noticed it only when the copy ended, hours
 * later on a large table.
 */
class RollbackDuringACopyTest {
  private static final TableRef USERS = TableRef.of("users");

  private final FakeTemporal temporal = new FakeTemporal();

  @AfterEach
  void tearDown() {
    temporal.close();
  }

  @Test
  void aRollbackDuringTheBlueGreenCopyStopsItAtTheNextBatchAndRemovesTheGreenTable() throws Exception {
    String copy = FakeTemporal.BLUE_GREEN_COPY;
    var workflow = temporal.startBlueGreenInItsCopy("bg-rollback", USERS);

    workflow.rollback(new RollbackRequest("tester", "wrong change"));
    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(temporal.script.calls())
        .containsSubsequence(copy, "SetBatchControl paused",
            "EndBackfill blue-green-step-1-copy cancelled", "BlueGreenRevert")
        .doesNotContain(copy + " canceled", "BackfillChunk blue-green-step-1-verify", "BlueGreenSwitch");
  }

  @Test
  void aRollbackDuringTheArchiveCopyStopsItAtTheNextBatchAndUndoesTheDeprecation() throws Exception {
    String archive = "BackfillChunk expand-contract-step-1-archive";
    temporal.activities.runBatches(archive);
    var workflow = temporal.startExpandContractPastItsGate("ec-rollback", USERS, "legacy");
    temporal.script.awaitCall(archive);

    workflow.rollback(new RollbackRequest("tester", null));
    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(temporal.script.calls())
        .containsSubsequence("CreateKeptArchive", archive, "SetBatchControl paused",
            "EndBackfill expand-contract-step-1-archive cancelled", "DropKeptArchive", "RemoveDeprecation")
        .doesNotContain(archive + " canceled", "VerifyBackfill expand-contract-step-1-archive",
            "DropColumnWithKeptArchive", "CreateArchive", "DropArchive");
  }

  @Test
  void aRollbackDuringTheArchiveVerificationCancelsItAndUndoes() throws Exception {
    String verify = "VerifyBackfill expand-contract-step-1-archive";
    temporal.script.blockUntilCanceled(verify);
    var workflow = temporal.startExpandContractPastItsGate("ec-rollback-verify", USERS, "legacy");
    temporal.script.awaitCall(verify);

    workflow.rollback(new RollbackRequest("tester", null));
    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(temporal.script.calls())
        .containsSubsequence(verify + " canceled", "DropKeptArchive", "RemoveDeprecation")
        .doesNotContain("DropColumnWithKeptArchive");
  }
}
