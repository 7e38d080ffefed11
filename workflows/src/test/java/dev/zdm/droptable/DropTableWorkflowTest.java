package dev.zdm.droptable;

import static dev.zdm.fakes.FakeTemporal.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.fakes.FakeTemporal;
import dev.zdm.migration.MigrationWorkflow;
import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.MigrationStatus;
import dev.zdm.model.Outcome;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.TableRef;
import dev.zdm.model.WaitingFor;
import dev.zdm.model.plan.DropTableStep;
import dev.zdm.workflow.StrategyWorkflowControls;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.CanceledFailure;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The drop-table workflow with fake activities: the order of its steps, what a rollback undoes
 * before and after the move aside, and what a cancel during each activity leaves behind.
 */
class DropTableWorkflowTest {
  private static final TableRef SESSIONS = TableRef.of("sessions");
  private static final Duration RETENTION = Duration.ofDays(7);
  private static final MigrationOptions WITH_APPROVAL = new MigrationOptions(Duration.ZERO, null, null, true, false);

  private final FakeTemporal temporal = new FakeTemporal();

  @AfterEach
  void tearDown() {
    temporal.close();
  }

  private static DropTableStep drop() {
    return new DropTableStep(SESSIONS, false, RETENTION.toSeconds(), List.of(), 1);
  }

  private MigrationWorkflow startPastDeployment(String id, MigrationOptions options) throws InterruptedException {
    MigrationWorkflow workflow = temporal.start(id, options, drop());
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT.equals(s.waitingFor()));
    workflow.deployed(new DeploymentSignal("v2", null));
    return workflow;
  }

  @Test
  void deprecatesWaitsForApprovalMovesAsideKeepsItForTheRetentionThenChecksAndDrops() throws Exception {
    MigrationWorkflow workflow = startPastDeployment("dt-full", WITH_APPROVAL);
    awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()));
    assertThat(temporal.script.calls()).contains("DeprecateTable").doesNotContain("MoveTableAside");

    workflow.approve(new ApprovalRequest("tester", "go"));
    MigrationStatus retained = awaitStatus(workflow, s -> WaitingFor.RETENTION.equals(s.waitingFor()));
    assertThat(retained.rollbackPossible()).isTrue();
    assertThat(retained.message()).contains("zdm_archive.archived_sessions").contains("zdm rollback");
    assertThat(temporal.script.calls()).contains("MoveTableAside").doesNotContain("DropArchivedTable");

    temporal.env.sleep(RETENTION.plusMinutes(1));
    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(temporal.script.calls())
        .containsSubsequence("DeprecateTable", "MoveTableAside", "CheckArchivedTable", "DropArchivedTable")
        .doesNotContain("MoveTableBack", "RemoveTableDeprecation");
    assertThat(result.steps()).extracting(step -> step.name()).containsSubsequence(
        "deprecate", "deployment", "approval", "move-aside", "retention", "fidelity-check", "drop");
  }

  @Test
  void aRollbackBeforeTheMoveRemovesTheDeprecationOnly() throws Exception {
    MigrationWorkflow workflow = temporal.start("dt-rollback-early", WITH_APPROVAL, drop());
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT.equals(s.waitingFor()));

    workflow.rollback(new RollbackRequest("tester", "still used"));
    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(temporal.script.calls()).containsSubsequence("DeprecateTable", "RemoveTableDeprecation")
        .doesNotContain("MoveTableAside", "MoveTableBack", "DropArchivedTable");
  }

  @Test
  void aRollbackDuringTheRetentionMovesTheTableBackThenRemovesTheDeprecation() throws Exception {
    MigrationWorkflow workflow = startPastDeployment("dt-rollback-late", FakeTemporal.STRAIGHT_THROUGH);
    awaitStatus(workflow, s -> WaitingFor.RETENTION.equals(s.waitingFor()));
    temporal.env.sleep(Duration.ofDays(3));

    workflow.rollback(new RollbackRequest("tester", "a monthly report still reads it"));
    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(temporal.script.calls())
        .containsSubsequence("MoveTableAside", "MoveTableBack", "RemoveTableDeprecation")
        .doesNotContain("CheckArchivedTable", "DropArchivedTable");
  }

  @Test
  void aRollbackThatArrivesDuringTheMoveMovesTheTableBackOnceTheMoveIsDone() throws Exception {
    temporal.script.gate("MoveTableAside", new ArchivedTable(TableRef.of("archived"), 42, 10));
    MigrationWorkflow workflow = startPastDeployment("dt-rollback-mid-move", FakeTemporal.STRAIGHT_THROUGH);
    temporal.script.awaitCall("MoveTableAside");

    workflow.rollback(new RollbackRequest("tester", "wrong table"));
    temporal.script.release("MoveTableAside");
    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(temporal.script.calls())
        .containsSubsequence("MoveTableAside", "MoveTableBack", "RemoveTableDeprecation")
        .doesNotContain("CheckArchivedTable", "DropArchivedTable");
  }

  @Test
  void aCancelDuringTheRetentionMovesTheTableBack() throws Exception {
    MigrationWorkflow workflow = startPastDeployment("dt-cancel-retention", FakeTemporal.STRAIGHT_THROUGH);
    awaitStatus(workflow, s -> WaitingFor.RETENTION.equals(s.waitingFor()));

    WorkflowStub.fromTyped(workflow).cancel();

    assertThatThrownBy(() -> temporal.resultOf(workflow, MigrationResult.class))
        .hasCauseInstanceOf(CanceledFailure.class);
    assertThat(temporal.script.calls())
        .containsSubsequence("MoveTableAside", "MoveTableBack", "RemoveTableDeprecation")
        .doesNotContain("DropArchivedTable");
  }

  @Test
  void aFailedCheckBeforeTheDropMovesTheTableBackAndDropsNothing() throws Exception {
    temporal.script.fail("CheckArchivedTable", "FidelityCheckFailed", "a view depends on it again");
    MigrationWorkflow workflow = startPastDeployment("dt-check", FakeTemporal.STRAIGHT_THROUGH);
    awaitStatus(workflow, s -> WaitingFor.RETENTION.equals(s.waitingFor()));
    temporal.env.sleep(RETENTION.plusMinutes(1));

    assertThatThrownBy(() -> temporal.resultOf(workflow, MigrationResult.class))
        .isInstanceOf(WorkflowFailedException.class);
    assertThat(temporal.script.calls())
        .containsSubsequence("CheckArchivedTable", "MoveTableBack", "RemoveTableDeprecation")
        .doesNotContain("DropArchivedTable");
  }

  @ParameterizedTest
  @ValueSource(strings = {"DeprecateTable", "MoveTableAside", "CheckArchivedTable"})
  void aCancelDuringAnActivityBeforeTheDropUndoesWhatWasDone(String activity) throws Exception {
    temporal.script.blockUntilCanceled(activity);
    MigrationWorkflow workflow = temporal.start("dt-cancel-" + activity, FakeTemporal.STRAIGHT_THROUGH,
        new DropTableStep(SESSIONS, false, 0, List.of(), 1));
    if (!activity.equals("DeprecateTable")) {
      awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT.equals(s.waitingFor()));
      workflow.deployed(new DeploymentSignal("v2", null));
    }
    temporal.script.awaitCall(activity);

    WorkflowStub.fromTyped(workflow).cancel();

    assertThatThrownBy(() -> temporal.resultOf(workflow, MigrationResult.class))
        .isInstanceOf(WorkflowFailedException.class)
        .hasCauseInstanceOf(CanceledFailure.class);
    assertThat(workflow.status().phase()).isEqualTo("canceled");
    List<String> calls = temporal.script.calls();
    assertThat(calls).contains(activity + " canceled", "RemoveTableDeprecation").doesNotContain("DropArchivedTable");
    if (!activity.equals("DeprecateTable")) {
      // The move may have happened though its call was cancelled: its undo runs, and is idempotent.
      assertThat(calls).containsSubsequence(activity + " canceled", "MoveTableBack", "RemoveTableDeprecation");
    }
  }

  @Test
  void aCancelDuringTheDropLetsItFinishAndUndoesNothing() throws Exception {
    temporal.script.when("DropArchivedTable", normal -> {
      try {
        Thread.sleep(2000);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
      return normal.get();
    });
    MigrationWorkflow workflow = temporal.start("dt-cancel-drop", FakeTemporal.STRAIGHT_THROUGH,
        new DropTableStep(SESSIONS, false, 0, List.of(), 1));
    MigrationStatus waiting = awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT.equals(s.waitingFor()));
    workflow.deployed(new DeploymentSignal("v2", null));
    temporal.script.awaitCall("DropArchivedTable");

    WorkflowStub.fromTyped(workflow).cancel();
    var child = temporal.stub(StrategyWorkflowControls.class, waiting.activeWorkflowId());
    assertThatThrownBy(() -> temporal.resultOf(child, MigrationResult.class))
        .hasCauseInstanceOf(CanceledFailure.class);

    MigrationStatus status = child.status();
    assertThat(status.phase()).isEqualTo("completed");
    assertThat(status.steps()).anySatisfy(step -> assertThat(step.detail()).contains("cannot be interrupted"));
    assertThat(temporal.script.calls()).contains("DropArchivedTable")
        .doesNotContain("MoveTableBack", "RemoveTableDeprecation");
  }
}
