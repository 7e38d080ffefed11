package dev.zdm.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What a start says when it gives up on the plan, or when the workflow refuses the file. */
class PlanWaiterTest {
  private static final WorkflowExecution EXECUTION =
      WorkflowExecution.newBuilder().setWorkflowId("zdm-m1").setRunId("r-1").build();

  @Test
  void noWorkerIsATimeoutThatSaysTheWorkflowStaysStartedAndWhatToRun() {
    ZdmException error = PlanWaiter.timedOut("m1", EXECUTION, "zdm-migrations", false, Duration.ofMinutes(5));
    assertThat(error.code()).isEqualTo(ErrorCode.TIMED_OUT);
    assertThat(error.code().exitCode()).isEqualTo(1);
    assertThat(error.getMessage()).isEqualTo(
        "Migration m1 is started (workflow zdm-m1, run r-1) but no worker on task queue zdm-migrations took it within 5m.");
    assertThat(error.hint()).startsWith("It stays started").contains("zdm worker").contains("zdm status m1");
  }

  @Test
  void aWorkerThatTookItButMadeNoPlanIsSaidApart() {
    ZdmException error = PlanWaiter.timedOut("m1", EXECUTION, "zdm-migrations", true, Duration.ofSeconds(30));
    assertThat(error.getMessage()).contains("a worker took it, but it had no plan after 30s");
    assertThat(error.hint()).startsWith("It stays started");
  }

  @Test
  void anInvalidFileIsBadInputAndAnUnsafePlanARefusal() {
    WorkflowUpdateException invalid = new WorkflowUpdateException(EXECUTION, "u1", "awaitPlan",
        ApplicationFailure.newNonRetryableFailure("column legacy_typo does not exist", ZdmFailures.INVALID_MIGRATION));
    ZdmException badInput = PlanWaiter.refused("m1", invalid);
    assertThat(badInput.code()).isEqualTo(ErrorCode.BAD_INPUT);
    assertThat(badInput.getMessage()).isEqualTo("Migration m1 was refused: column legacy_typo does not exist");
    assertThat(badInput.hint()).contains("Nothing in the database was changed");

    WorkflowUpdateException unsafe = new WorkflowUpdateException(EXECUTION, "u1", "awaitPlan",
        ApplicationFailure.newNonRetryableFailure("TRUNCATE cannot be made safe; --force runs it", "UnsafePlan"));
    assertThat(PlanWaiter.refused("m1", unsafe).code()).isEqualTo(ErrorCode.REFUSED);
  }
}
