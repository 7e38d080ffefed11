package dev.zdm.migration;

import static dev.zdm.fakes.FakeTemporal.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.fakes.FakeTemporal;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.MigrationStatus;
import dev.zdm.model.TableRef;
import dev.zdm.model.WaitingFor;
import dev.zdm.model.plan.BlueGreenStep;
import dev.zdm.model.plan.ConcurrentIndexStep;
import dev.zdm.model.plan.ConstraintStep;
import dev.zdm.model.plan.DualWriteStep;
import dev.zdm.model.plan.ExpandContractStep;
import dev.zdm.workflow.StrategyWorkflowControls;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.CanceledFailure;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A cancel that arrives while a long activity runs reaches the workflow as an activity failure
 * caused by the cancellation; every strategy must recognise it and run its undo anyway, in a scope
 * the cancellation cannot interrupt, and end cancelled.
 */
class CancelDuringEachLongActivityTest {
  private static final TableRef USERS = TableRef.of("users");

  private final FakeTemporal temporal = new FakeTemporal();

  @AfterEach
  void tearDown() {
    temporal.close();
  }

  @Test
  void expandContractCanceledDuringItsArchiveCopyUndoesTheArchiveAndTheDeprecation() throws Exception {
    String archive = "BackfillChunk expand-contract-step-1-archive";
    temporal.script.blockUntilCanceled(archive);
    MigrationWorkflow workflow = temporal.startExpandContractPastItsGate("ec-archive", USERS, "legacy_field");

    cancelDuring(workflow, archive);

    assertThat(temporal.script.calls())
        .containsSubsequence(archive + " canceled", "DropKeptArchive", "RemoveDeprecation")
        .doesNotContain("DropColumnWithKeptArchive");
  }

  @Test
  void dualWriteCanceledDuringItsBackfillRemovesTheTriggerAndTheNewColumn() throws Exception {
    String chunk = "BackfillChunk dual-write-backfill-step-1";
    temporal.script.blockUntilCanceled(chunk);
    MigrationWorkflow workflow = temporal.start("dw-backfill", FakeTemporal.STRAIGHT_THROUGH,
        new DualWriteStep(USERS, "id_old", null, "bigint", null, null, DualWriteStep.Kind.CHANGE_TYPE, 1));

    cancelDuring(workflow, chunk);

    assertThat(temporal.script.calls()).containsSubsequence(chunk + " canceled", "RemoveDualWrite");
  }

  @Test
  void dualWriteCanceledDuringItsCarryOverRemovesTheTriggerAndTheNewColumn() throws Exception {
    temporal.script.blockUntilCanceled("CarryOverDualWrite");
    MigrationWorkflow workflow = temporal.start("dw-carry", FakeTemporal.STRAIGHT_THROUGH,
        new DualWriteStep(USERS, "email", "email_address", null, null, null, DualWriteStep.Kind.RENAME, 1));

    cancelDuring(workflow, "CarryOverDualWrite");

    assertThat(temporal.script.calls())
        .containsSubsequence("CarryOverDualWrite canceled", "RemoveDualWrite")
        .doesNotContain("CutOverDualWrite");
  }

  @Test
  void blueGreenCanceledDuringItsCopyRemovesTheGreenCopyAndTheSyncTrigger() throws Exception {
    String copy = "BackfillChunk blue-green-step-1-copy";
    temporal.script.blockUntilCanceled(copy);
    MigrationWorkflow workflow = temporal.start("bg-copy", FakeTemporal.STRAIGHT_THROUGH,
        new BlueGreenStep(USERS, List.of("ALTER TABLE users ADD COLUMN x int"), 1));

    cancelDuring(workflow, copy);

    assertThat(temporal.script.calls())
        .containsSubsequence(copy + " canceled", "BlueGreenRevert")
        .doesNotContain("BlueGreenSwitch");
  }

  @Test
  void anIndexBuildCanceledMidBuildDropsItsIndex() throws Exception {
    temporal.script.blockUntilCanceled("BuildIndexConcurrently idx_email");
    MigrationWorkflow workflow = temporal.start("pg-index", FakeTemporal.STRAIGHT_THROUGH, new ConcurrentIndexStep(USERS,
        "idx_email", "CREATE INDEX CONCURRENTLY idx_email ON users (email)", "(email)", false, null,
        null, null, 1));

    cancelDuring(workflow, "BuildIndexConcurrently idx_email");

    assertThat(temporal.script.calls())
        .containsSubsequence("BuildIndexConcurrently idx_email canceled", "DropIndexConcurrently idx_email");
  }

  @Test
  void aValidationCanceledMidScanDropsItsConstraint() throws Exception {
    temporal.script.blockUntilCanceled("ValidateConstraint");
    MigrationWorkflow workflow = temporal.start("pg-validate", FakeTemporal.STRAIGHT_THROUGH, new ConstraintStep(USERS,
        "users_age_check", ConstraintStep.Kind.CHECK, "CHECK (age >= 0)", null, List.of(), 1));

    cancelDuring(workflow, "ValidateConstraint");

    assertThat(temporal.script.calls())
        .containsSubsequence("ValidateConstraint canceled", "DropConstraint");
  }

  @Test
  void aCancelDuringTheIrreversibleDropLetsTheDropFinishAndUndoesNothing() throws Exception {
    temporal.script.when("DropColumnWithKeptArchive", normal -> {
      sleep(Duration.ofSeconds(2));
      return normal.get();
    });
    MigrationWorkflow workflow = temporal.start("ec-drop", FakeTemporal.STRAIGHT_THROUGH,
        new ExpandContractStep(USERS, "legacy_field", 1));
    MigrationStatus waiting = awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT.equals(s.waitingFor()));
    workflow.deployed(new DeploymentSignal("v2", null));
    temporal.script.awaitCall("DropColumnWithKeptArchive");

    WorkflowStub.fromTyped(workflow).cancel();
    var child = temporal.stub(StrategyWorkflowControls.class, waiting.activeWorkflowId());
    // Temporal reports the run canceled (the cancel was honoured once the drop was done); the
    // status says what happened: the drop finished and nothing was undone.
    assertThatThrownBy(() -> temporal.resultOf(child, MigrationResult.class))
        .hasCauseInstanceOf(CanceledFailure.class);

    MigrationStatus status = child.status();
    assertThat(status.phase()).isEqualTo("completed");
    assertThat(status.steps()).anySatisfy(step -> assertThat(step.name()).isEqualTo("drop"))
        .anySatisfy(step -> assertThat(step.detail()).contains("cannot be interrupted"));
    assertThat(temporal.script.calls()).contains("DropColumnWithKeptArchive")
        .doesNotContain("DropKeptArchive", "RemoveDeprecation");
  }

  private void cancelDuring(MigrationWorkflow workflow, String activity) throws InterruptedException {
    temporal.script.awaitCall(activity);
    WorkflowStub.fromTyped(workflow).cancel();
    assertThatThrownBy(() -> temporal.resultOf(workflow, MigrationResult.class))
        .isInstanceOf(WorkflowFailedException.class)
        .hasCauseInstanceOf(CanceledFailure.class);
    MigrationStatus status = workflow.status();
    assertThat(status.phase()).isEqualTo("canceled");
    assertThat(status.message()).doesNotContain("undone: nothing");
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }

}
