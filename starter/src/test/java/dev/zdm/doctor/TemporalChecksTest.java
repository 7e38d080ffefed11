package dev.zdm.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.dev.TestServerTemporal;
import dev.zdm.temporal.ZdmSearchAttributes;
import dev.zdm.temporalclient.TemporalConfig;
import io.grpc.Status;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.taskqueue.v1.PollerInfo;
import io.temporal.common.SearchAttributeKey;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Temporal checks of {@code zdm doctor} against Temporal's test server bound to a port.
 * The test server answers neither ListSearchAttributes nor DescribeTaskQueue: there the checks
 * say so, and their judgement of a real server's answer is tested on that answer's messages.
 */
class TemporalChecksTest {
  private static TestServerTemporal server;

  @BeforeAll
  static void startServer() {
    server = TestServerTemporal.start(0, "doctor test");
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  private static TemporalConfig config() {
    return new TemporalConfig(server.address(), "default", "zdm-migrations");
  }

  @Test
  void aReachableServerAndItsNamespaceAreOkAndWhatItCannotAnswerIsNotChecked() {
    DoctorReport report = new DoctorReport(new TemporalChecks(config()).run());
    assertThat(report.check(TemporalChecks.REACHABLE).outcome()).isEqualTo(CheckOutcome.OK);
    assertThat(report.check(TemporalChecks.REACHABLE).detail()).contains(server.address());
    assertThat(report.check(TemporalChecks.NAMESPACE).outcome()).isEqualTo(CheckOutcome.OK);
    assertThat(report.check(SearchAttributeCheck.NAME).outcome()).isEqualTo(CheckOutcome.NOT_CHECKED);
    assertThat(report.check(SearchAttributeCheck.NAME).detail()).contains("cannot list search attributes");
    assertThat(report.check(WorkerPollerCheck.NAME).outcome()).isEqualTo(CheckOutcome.NOT_CHECKED);
    assertThat(report.check(WorkerPollerCheck.NAME).detail()).contains("cannot describe task queues");
  }

  @Test
  void anUnreachableServerIsAProblemAndTheRestIsNotChecked() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    DoctorReport report = new DoctorReport(
        new TemporalChecks(new TemporalConfig("127.0.0.1:" + closedPort, "default", "zdm-migrations")).run());
    assertThat(report.check(TemporalChecks.REACHABLE).outcome()).isEqualTo(CheckOutcome.PROBLEM);
    assertThat(report.check(TemporalChecks.REACHABLE).detail()).contains("cannot be reached").contains("UNAVAILABLE");
    assertThat(report.checks().subList(1, 4)).extracting(DoctorCheck::outcome).containsOnly(CheckOutcome.NOT_CHECKED);
  }

  @Test
  void aMissingNamespaceIsAProblemAndOtherRefusalsLeaveItUnchecked() {
    TemporalConfig other = new TemporalConfig(server.address(), "no-such-namespace", "zdm-migrations");
    // The test server has no namespace registry: it answers for any name, as the check reports.
    assertThat(new DoctorReport(new TemporalChecks(other).run()).check(TemporalChecks.NAMESPACE).outcome())
        .isEqualTo(CheckOutcome.OK);
    TemporalChecks checks = new TemporalChecks(other);
    DoctorCheck missing = checks.namespaceRefused(Status.NOT_FOUND.withDescription("Namespace no-such-namespace is not found."));
    assertThat(missing.outcome()).isEqualTo(CheckOutcome.PROBLEM);
    assertThat(missing.fix()).contains("temporal operator namespace create no-such-namespace");
    assertThat(checks.namespaceRefused(Status.PERMISSION_DENIED).outcome()).isEqualTo(CheckOutcome.NOT_CHECKED);
  }

  @Test
  void searchAttributesMustAllExistAsKeywords() {
    SearchAttributeCheck check = new SearchAttributeCheck(config());
    Map<String, IndexedValueType> custom = new HashMap<>();
    custom.put("CustomerId", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    ZdmSearchAttributes.ALL.stream().skip(1).map(SearchAttributeKey::getName)
        .forEach(name -> custom.put(name, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    DoctorCheck missing = check.evaluate(custom);
    assertThat(missing.outcome()).isEqualTo(CheckOutcome.PROBLEM);
    assertThat(missing.detail()).contains("lacks zdm's search attributes ZdmMigrationId.");

    custom.put("ZdmMigrationId", IndexedValueType.INDEXED_VALUE_TYPE_TEXT);
    assertThat(check.evaluate(custom).detail()).contains("ZdmMigrationId with a type other than Keyword");

    custom.put("ZdmMigrationId", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    assertThat(check.evaluate(custom).outcome()).isEqualTo(CheckOutcome.OK);
  }

  @Test
  void workersMustPollForWorkflowAndActivityTasks() {
    WorkerPollerCheck check = new WorkerPollerCheck(config());
    PollerInfo worker = PollerInfo.newBuilder().setIdentity("4242@worker-1").build();
    assertThat(check.evaluate(List.of(), List.of()).detail()).contains("for workflow or activity tasks");
    DoctorCheck workflowOnly = check.evaluate(List.of(worker), List.of());
    assertThat(workflowOnly.outcome()).isEqualTo(CheckOutcome.PROBLEM);
    assertThat(workflowOnly.detail()).contains("for activity tasks");
    DoctorCheck both = check.evaluate(List.of(worker), List.of(worker));
    assertThat(both.outcome()).isEqualTo(CheckOutcome.OK);
    assertThat(both.detail()).isEqualTo("1 worker(s) poll task queue zdm-migrations: 4242@worker-1.");
  }
}
