package dev.zdm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.error.ErrorCode;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowServiceException;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Whatever escapes a command is printed as one sentence (and a hint) with its exit code. */
class ErrorHandlerTest {
  private static String printed(Exception e, int[] exit) {
    StringWriter err = new StringWriter();
    CommandLine line = ZdmCommand.newCommandLine();
    line.setErr(new PrintWriter(err));
    exit[0] = new ErrorHandler().handleExecutionException(e, line, null);
    return err.toString();
  }

  @Test
  void aBugIsOneSentenceWithoutAStackTrace() {
    int[] exit = new int[1];
    String err = printed(new IllegalStateException("no plan step of kind X"), exit);
    assertThat(exit[0]).isEqualTo(ErrorCode.UNEXPECTED.exitCode());
    assertThat(err).startsWith("zdm: unexpected error (no plan step of kind X).")
        .contains("ZDM_DEBUG=1").doesNotContain("\tat ").doesNotContain("IllegalStateException");
  }

  @Test
  void anUnreachableServerFoundAnywhereIsExitCode3() {
    int[] exit = new int[1];
    String err = printed(new WorkflowServiceException(WorkflowExecution.newBuilder().setWorkflowId("zdm-m1").build(),
        "Migration", io.grpc.Status.UNAVAILABLE.withDescription("io exception").asRuntimeException()), exit);
    assertThat(exit[0]).isEqualTo(3);
    assertThat(err).startsWith("zdm: Temporal cannot be reached").doesNotContain("\tat ");
  }
}
