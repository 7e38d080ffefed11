package dev.zdm.worker;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.bluegreen.BlueGreenWorkflowImpl;
import dev.zdm.dualwrite.DualWriteWorkflowImpl;
import dev.zdm.expandcontract.ExpandContractWorkflowImpl;
import dev.zdm.migration.MigrationWorkflowImpl;
import dev.zdm.progressive.ProgressiveWorkflowImpl;
import dev.zdm.model.MigrationRequest;
import dev.zdm.model.MigrationResult;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.workflow.Workflow;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Replays recorded histories against today's workflow code: a change that would break running
 * migrations (non-determinism) fails here instead of in production. Recorded with
 * ExpandContractWorkflowTest and AutomaticPlanWorkflowTest and copied from target/histories.
 */
class ReplayTest {

  @Test
  void theRecordedExpandContractParentReplays() {
    assertThatCode(() -> WorkflowReplayer.replayWorkflowExecution(
        history("expand-contract-parent"), MigrationWorkflowImpl.class)).doesNotThrowAnyException();
  }

  @Test
  void theRecordedExpandContractChildReplays() {
    assertThatCode(() -> WorkflowReplayer.replayWorkflowExecution(
        history("expand-contract-child"), ExpandContractWorkflowImpl.class)).doesNotThrowAnyException();
  }

  @Test
  void theRecordedAutomaticPlanAndItsProgressiveChildrenReplay() {
    assertThatCode(() -> {
      WorkflowReplayer.replayWorkflowExecution(history("automatic-plan-parent"), MigrationWorkflowImpl.class);
      WorkflowReplayer.replayWorkflowExecution(history("progressive-index"), ProgressiveWorkflowImpl.class);
      WorkflowReplayer.replayWorkflowExecution(history("progressive-batched-update"), ProgressiveWorkflowImpl.class);
    }).doesNotThrowAnyException();
  }

  @Test
  void theRecordedDualWriteReplays() {
    assertThatCode(() -> {
      WorkflowReplayer.replayWorkflowExecution(history("dual-write-parent"), MigrationWorkflowImpl.class);
      WorkflowReplayer.replayWorkflowExecution(history("dual-write-child"), DualWriteWorkflowImpl.class);
    }).doesNotThrowAnyException();
  }

  @Test
  void theRecordedBlueGreenReplays() {
    assertThatCode(() -> WorkflowReplayer.replayWorkflowExecution(
        history("blue-green-child"), BlueGreenWorkflowImpl.class)).doesNotThrowAnyException();
  }

  @Test
  void aChangedWorkflowIsCaughtAsNonDeterministic() {
    assertThatThrownBy(() -> WorkflowReplayer.replayWorkflowExecution(
        history("expand-contract-parent"), ReorderedMigrationWorkflow.class))
        .hasMessageContaining("NonDeterministicException");
  }

  /** The parent as an incompatible change would leave it: a timer before the first activity. */
  public static class ReorderedMigrationWorkflow extends MigrationWorkflowImpl {
    @Override
    public MigrationResult run(MigrationRequest request) {
      Workflow.sleep(java.time.Duration.ofSeconds(1));
      return super.run(request);
    }
  }

  private static String history(String name) throws IOException {
    try (InputStream in = ReplayTest.class.getResourceAsStream("/histories/" + name + ".json")) {
      if (in == null) {
        throw new IllegalStateException("no recorded history " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
