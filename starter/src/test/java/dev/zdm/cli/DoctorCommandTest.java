package dev.zdm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zdm.dev.TestServerTemporal;
import dev.zdm.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code zdm doctor}: exit 0 when no check finds a problem, 1 with the list; --json is the report. */
class DoctorCommandTest {
  private record Run(int exit, String out) {}

  private static Run doctor(String... args) {
    StringWriter out = new StringWriter();
    CommandLine line = ZdmCommand.newCommandLine();
    line.setOut(new PrintWriter(out));
    line.setErr(new PrintWriter(new StringWriter()));
    return new Run(line.execute(args), out.toString());
  }

  @Test
  void allWellExitsZeroAndSaysWhatWasNotChecked() {
    try (TestServerTemporal server = TestServerTemporal.start(0, "doctor command test");
        TestDatabase db = TestDatabase.create("doctor_cli")) {
      Run run = doctor("doctor", "--address", server.address(), "--database-url", TestDatabase.url(),
          "--ledger-schema", db.schema(), "--long-transaction", "1h");
      assertThat(run.exit()).as(run.out()).isZero();
      assertThat(run.out()).contains("ok           temporal").contains("not checked  workers")
          .contains("All well (4 not checked).");
    }
  }

  @Test
  void problemsExitOneAndTheJsonListsEveryCheck() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Run run = doctor("doctor", "--json", "--address", "127.0.0.1:" + closedPort, "--database-url", TestDatabase.url());
    assertThat(run.exit()).isEqualTo(1);
    JsonNode report = new ObjectMapper().readTree(run.out());
    assertThat(report.get("healthy").asBoolean()).isFalse();
    assertThat(report.get("problems").asInt()).isGreaterThanOrEqualTo(1);
    assertThat(report.get("checks").get(0).get("name").asText()).isEqualTo("temporal");
    assertThat(report.get("checks").get(0).get("outcome").asText()).isEqualTo("problem");
    assertThat(report.get("checks").findValuesAsText("name")).containsExactly(
        "temporal", "namespace", "search-attributes", "workers", "postgresql", "ledger-privileges",
        "table-privileges", "row-level-security", "replication-lag", "session-defaults", "long-transactions", "breaker");
  }
}
