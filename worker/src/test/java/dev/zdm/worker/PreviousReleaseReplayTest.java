package dev.zdm.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.bluegreen.BlueGreenWorkflowImpl;
import dev.zdm.droptable.DropTableWorkflowImpl;
import dev.zdm.featureflag.FeatureFlagWorkflowImpl;
import dev.zdm.dualwrite.DualWriteWorkflowImpl;
import dev.zdm.expandcontract.ExpandContractRequest;
import dev.zdm.expandcontract.ExpandContractWorkflowImpl;
import dev.zdm.migration.MigrationWorkflowImpl;
import dev.zdm.model.MigrationRequest;
import dev.zdm.model.MigrationResult;
import dev.zdm.progressive.ProgressiveWorkflowImpl;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import io.temporal.workflow.Workflow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays every history recorded by a previous release (src/test/resources/histories/release-*)
 * against today's workflow code: migrations of that release wait for weeks in production, and a
 * worker upgraded under them must take each one up where it stopped. A change to the commands a
 * workflow issues must go behind Workflow.getVersion, or its history fails here.
 */
class PreviousReleaseReplayTest {
  static final String HISTORIES = "/histories";
  static final String RELEASE_PREFIX = "release-";
  /** Workflow type, as recorded in the history's start event, to the class that runs it today. */
  static final Map<String, Class<?>> IMPLEMENTATIONS = Map.of(
      "Migration", MigrationWorkflowImpl.class,
      "ExpandContract", ExpandContractWorkflowImpl.class,
      "DualWrite", DualWriteWorkflowImpl.class,
      "Progressive", ProgressiveWorkflowImpl.class,
      "BlueGreen", BlueGreenWorkflowImpl.class,
      "FeatureFlag", FeatureFlagWorkflowImpl.class,
      "DropTable", DropTableWorkflowImpl.class);
  /** Release 0.1 recorded this many; a lost file must not pass unnoticed. */
  static final int RELEASE_0_1_HISTORIES = 85;
  /**
   * The SDK's 1 s deadlock detector fires on a loaded CI machine while a replay loads classes;
   * replay checks determinism, not speed, so it gets this long.
   */
  static final Duration DEADLOCK_DETECTION_TIMEOUT = Duration.ofMinutes(1);

  private static TestWorkflowEnvironment environment;
  /** Runs today's workflow classes. */
  private static Worker today;
  /** Runs the deliberately incompatible variants of the negative tests. */
  private static Worker reordered;

  @BeforeAll
  static void startReplayWorkers() {
    environment = TestWorkflowEnvironment.newInstance();
    WorkerOptions options = WorkerOptions.newBuilder()
        .setDefaultDeadlockDetectionTimeout(DEADLOCK_DETECTION_TIMEOUT.toMillis())
        .build();
    today = environment.newWorker("replay-today", options);
    today.registerWorkflowImplementationTypes(IMPLEMENTATIONS.values().toArray(Class<?>[]::new));
    reordered = environment.newWorker("replay-reordered", options);
    reordered.registerWorkflowImplementationTypes(
        ReorderedMigrationWorkflow.class, ReorderedExpandContractWorkflow.class);
  }

  @AfterAll
  static void stopReplayWorkers() {
    environment.close();
  }

  @TestFactory
  Stream<DynamicTest> everyHistoryOfEveryPreviousReleaseReplays() {
    List<Path> files = recordedHistories();
    assertThat(files).as("histories under %s/%s*", HISTORIES, RELEASE_PREFIX).isNotEmpty();
    return files.stream().map(file -> DynamicTest.dynamicTest(
        releaseOf(file) + "/" + file.getFileName(), file.toUri(), () -> replay(file)));
  }

  @Test
  void noHistoryOfReleaseZeroOneIsLost() {
    assertThat(recordedHistories()).filteredOn(file -> releaseOf(file).equals("release-0.1"))
        .hasSizeGreaterThanOrEqualTo(RELEASE_0_1_HISTORIES);
  }

  @Test
  void aParentThatIssuesItsCommandsInAnotherOrderFailsToReplay() {
    WorkflowExecutionHistory history = read(release01("automatic-plan-waiting-mid-plan-parent.json"));
    assertThatThrownBy(() -> WorkflowReplayer.replayWorkflowExecution(history, reordered))
        .hasMessageContaining("NonDeterministicException");
  }

  @Test
  void aStrategyThatIssuesItsCommandsInAnotherOrderFailsToReplay() {
    WorkflowExecutionHistory history =
        read(release01("expand-contract-waiting-approval-child-1-expand-contract.json"));
    assertThatThrownBy(() -> WorkflowReplayer.replayWorkflowExecution(history, reordered))
        .hasMessageContaining("NonDeterministicException");
  }

  /** The parent as an incompatible change would leave it: a timer before the first activity. */
  public static class ReorderedMigrationWorkflow extends MigrationWorkflowImpl {
    @Override
    public MigrationResult run(MigrationRequest request) {
      Workflow.sleep(Duration.ofSeconds(1));
      return super.run(request);
    }
  }

  /** A strategy changed without Workflow.getVersion: a timer before its first step. */
  public static class ReorderedExpandContractWorkflow extends ExpandContractWorkflowImpl {
    @Override
    public MigrationResult run(ExpandContractRequest request) {
      Workflow.sleep(Duration.ofSeconds(1));
      return super.run(request);
    }
  }

  private static void replay(Path file) throws Exception {
    WorkflowExecutionHistory history = read(file);
    String type = history.getEvents().get(0).getWorkflowExecutionStartedEventAttributes().getWorkflowType().getName();
    assertThat(IMPLEMENTATIONS).as("the class that runs workflow type %s of %s", type, file.getFileName())
        .containsKey(type);
    WorkflowReplayer.replayWorkflowExecution(history, today);
  }

  /** Every *.json under histories/release-*, from the test classpath. */
  static List<Path> recordedHistories() {
    Path root = classpathDirectory(HISTORIES);
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile)
          .filter(file -> file.getFileName().toString().endsWith(".json"))
          .filter(file -> root.relativize(file).getNameCount() > 1
              && root.relativize(file).getName(0).toString().startsWith(RELEASE_PREFIX))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path release01(String name) {
    return classpathDirectory(HISTORIES).resolve("release-0.1").resolve(name);
  }

  private static String releaseOf(Path file) {
    return classpathDirectory(HISTORIES).relativize(file).getName(0).toString();
  }

  private static Path classpathDirectory(String name) {
    URL url = PreviousReleaseReplayTest.class.getResource(name);
    if (url == null) {
      throw new IllegalStateException("no " + name + " on the test classpath");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static WorkflowExecutionHistory read(Path file) {
    try {
      return WorkflowExecutionHistory.fromJson(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
