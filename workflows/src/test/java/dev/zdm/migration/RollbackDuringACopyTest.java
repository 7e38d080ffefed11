package dev.zdm.migration;

import static dev.zdm.fakes.FakeTemporal.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.fakes.FakeTemporal;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.TableRef;
import dev.zdm.model.WaitingFor;
import dev.zdm.model.plan.BlueGreenStep;
import dev.zdm.model.plan.ExpandContractStep;
import java.util.List;
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
    String copy = "BackfillChunk blue-green-step-1-copy";
    temporal.activities.runBatches(copy);
    var workflow = temporal.start("bg-rollback", FakeTemporal.STRAIGHT_THROUGH,
        new BlueGreenStep(USERS, List.of("ALTER TABLE users ADD COLUMN x int"), 1));
    temporal.script.awaitCall(copy);

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
    var workflow = temporal.start("ec-rollback", FakeTemporal.STRAIGHT_THROUGH, new ExpandContractStep(USERS, "legacy", 1));
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT.equals(s.waitingFor()));
    workflow.deployed(new DeploymentSignal("v2", null));
    temporal.script.awaitCall(archive);

    workflow.rollback(new RollbackRequest("tester", null));
    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(temporal.script.calls())
        .containsSubsequence(archive, "SetBatchControl paused",
            "EndBackfill expand-contract-step-1-archive cancelled", "DropArchive", "RemoveDeprecation")
        .doesNotContain(archive + " canceled", "VerifyBackfill expand-contract-step-1-archive", "DropColumn");
  }

  @Test
  void aRollbackDuringTheArchiveVerificationCancelsItAndUndoes() throws Exception {
    String verify = "VerifyBackfill expand-contract-step-1-archive";
    temporal.script.blockUntilCanceled(verify);
    var workflow = temporal.start("ec-rollback-verify", FakeTemporal.STRAIGHT_THROUGH,
        new ExpandContractStep(USERS, "legacy", 1));
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT.equals(s.waitingFor()));
    workflow.deployed(new DeploymentSignal("v2", null));
    temporal.script.awaitCall(verify);

    workflow.rollback(new RollbackRequest("tester", null));
    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(temporal.script.calls())
        .containsSubsequence(verify + " canceled", "DropArchive", "RemoveDeprecation")
        .doesNotContain("DropColumn");
  }
}
