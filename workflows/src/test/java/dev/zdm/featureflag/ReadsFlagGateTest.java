package dev.zdm.featureflag;

import static dev.zdm.fakes.FakeTemporal.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.fakes.FakeTemporal;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.MigrationStatus;
import dev.zdm.model.Outcome;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.TableRef;
import dev.zdm.model.WaitingFor;
import dev.zdm.model.plan.DualWriteStep;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A dual-write whose reads gate is a flag: it waits for the flag's rollout to reach 100 % instead
 * of {@code zdm deployed --stage reads}, and moves on by itself when it does.
 */
class ReadsFlagGateTest {
  private static final DualWriteStep RENAME = new DualWriteStep(TableRef.of("users"), "name",
      "full_name", null, null, null, DualWriteStep.Kind.RENAME, 2).withReadsFlag("search_v2");

  private final FakeTemporal temporal = new FakeTemporal();

  @AfterEach
  void tearDown() {
    temporal.close();
  }

  @Test
  void theReadsGateIsPassedByTheFlagReachingOneHundredPercent() throws Exception {
    temporal.script.gate("FlagAwaitFull search_v2", new FlagState(true, true, 100));
    var workflow = temporal.start("flag-reads", MigrationOptions.defaults(), RENAME);

    MigrationStatus waiting = awaitStatus(workflow, s -> WaitingFor.FLAG.equals(s.waitingFor()));
    assertThat(waiting.message()).contains("flag search_v2").contains("100 %");
    assertThatThrownBy(() -> workflow.confirmDeployment(new DeploymentSignal("v2", "reads")))
        .as("the reads stage is the flag's, not a deployment's")
        .isInstanceOf(WorkflowUpdateException.class);

    temporal.script.release("FlagAwaitFull search_v2");
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_WRITES.equals(s.waitingFor()));
    assertThat(workflow.status().steps()).anyMatch(s -> s.name().equals("reads-flag"));
    WorkflowStub.fromTyped(workflow).cancel();
  }

  @Test
  void aRollbackWhileWaitingForTheFlagStopsTheWaitAndUndoesTheDualWrite() throws Exception {
    temporal.script.blockUntilCanceled("FlagAwaitFull search_v2");
    var workflow = temporal.start("flag-reads-rollback", MigrationOptions.defaults(), RENAME);
    awaitStatus(workflow, s -> WaitingFor.FLAG.equals(s.waitingFor()));

    workflow.rollback(new RollbackRequest("ops", null));

    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);
    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(temporal.script.calls()).contains("FlagAwaitFull search_v2 canceled");
    assertThat(temporal.script.calls()).anyMatch(call -> call.startsWith("RemoveDualWrite"));
  }
}
