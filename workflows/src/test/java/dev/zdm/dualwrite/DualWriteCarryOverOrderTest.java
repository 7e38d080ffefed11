package dev.zdm.dualwrite;

import static dev.zdm.fakes.FakeTemporal.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.fakes.FakeTemporal;
import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.TableRef;
import dev.zdm.model.WaitingFor;
import dev.zdm.model.plan.DualWriteStep;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The carry-over step's place in a dual-write (after the backfill and its verification, before the
 * reads gate), and a rollback while it builds: the build is cancelled and the dual-write undone.
 */
class DualWriteCarryOverOrderTest {
  private static final DualWriteStep RETYPE = new DualWriteStep(TableRef.of("orders"), "customer_id",
      "customer_id_new", "bigint", null, null, DualWriteStep.Kind.CHANGE_TYPE, 3);

  private final FakeTemporal temporal = new FakeTemporal();

  @AfterEach
  void tearDown() {
    temporal.close();
  }

  @Test
  void theOldColumnsObjectsAreCarriedOverBeforeTheReadsGateAndSwappedInAtTheCutOver() throws Exception {
    var workflow = temporal.start("carry-order", MigrationOptions.defaults(), RETYPE);
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()));
    assertThat(dualWriteCalls()).as("carried over before the reads gate").contains("CarryOverDualWrite");
    workflow.confirmDeployment(new DeploymentSignal("v2", "reads"));
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_WRITES.equals(s.waitingFor()));
    workflow.confirmDeployment(new DeploymentSignal("v2", "writes"));
    awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()));
    workflow.approve(new ApprovalRequest("ops", null));

    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);
    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    List<String> calls = dualWriteCalls();
    assertThat(calls).containsSubsequence("PlanDualWrite", "AddDualWriteColumn", "InstallDualWriteTrigger",
        "CarryOverDualWrite", "CheckDualWriteFidelity", "CutOverDualWrite");
    assertThat(calls).doesNotContain("RemoveDualWrite");
  }

  @Test
  void aRollbackDuringTheCarryOverCancelsItAndRemovesTheDualWrite() throws Exception {
    temporal.script.blockUntilCanceled("CarryOverDualWrite");
    var workflow = temporal.start("carry-rollback", MigrationOptions.defaults(), RETYPE);
    temporal.script.awaitCall("CarryOverDualWrite");

    workflow.rollback(new RollbackRequest("ops", null));

    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);
    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    List<String> calls = dualWriteCalls();
    assertThat(calls).containsSubsequence("CarryOverDualWrite", "CarryOverDualWrite canceled", "RemoveDualWrite");
    assertThat(calls).doesNotContain("CheckDualWriteFidelity", "CutOverDualWrite");
  }

  private List<String> dualWriteCalls() {
    return temporal.script.calls().stream()
        .filter(call -> call.contains("DualWrite")).toList();
  }
}
