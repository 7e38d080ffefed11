package dev.zdm.featureflag;

import static dev.zdm.fakes.FakeTemporal.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.fakes.FakeTemporal;
import dev.zdm.migration.MigrationWorkflow;
import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.MigrationStatus;
import dev.zdm.model.Outcome;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.WaitingFor;
import dev.zdm.model.plan.FeatureFlagStep;
import io.temporal.client.WorkflowUpdateException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A flag rollout on the time-skipping test server with the flag table in memory: the schedule,
 * Updates mid-soak, hold and continue, approval, guards and rollback, each judged by the
 * percentages the flag was set to and the state it is left in.
 */
class FlagRolloutTest {
  private static final String GUARD = "SELECT count(*) < 10 FROM app_errors";
  private static final Duration SOAK = Duration.ofMinutes(10);

  private final FakeTemporal temporal = new FakeTemporal();
  private final dev.zdm.fakes.FakeFeatureFlag flags = temporal.activities.featureFlag;

  @AfterEach
  void tearDown() {
    temporal.close();
  }

  private static FeatureFlagStep rollout(List<Integer> steps, Duration soak, List<String> guards,
      List<Integer> approveAt) {
    return new FeatureFlagStep("search_v2", steps, soak, guards, Duration.ofSeconds(30), approveAt, "alice");
  }

  private FeatureFlagWorkflow rolloutOf(String migrationId) {
    return temporal.stub(FeatureFlagWorkflow.class, FeatureFlagOperation.rolloutWorkflowId(migrationId));
  }

  private static MigrationStatus soakingAt(MigrationWorkflow workflow, int percentage)
      throws InterruptedException {
    return awaitStatus(workflow, s -> "soaking".equals(s.phase())
        && s.message().startsWith("Flag search_v2 at " + percentage + " %"));
  }

  @Test
  void aFullScheduleMovesTheFlagThroughEveryStepWithASoakAtEach() {
    var workflow = temporal.start("flag-full", MigrationOptions.defaults(),
        rollout(List.of(5, 25, 50, 100), SOAK, List.of(), List.of()));

    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(flags.percentages("search_v2")).containsExactly(5, 25, 50, 100);
    assertThat(flags.flag("search_v2")).isEqualTo(new FlagState(true, true, 100));
    assertThat(result.message()).contains("enabled at 100 %");
    // Each soak is a durable timer: four of them in the rollout's history.
    long timers = temporal.client().fetchHistory(FeatureFlagOperation.rolloutWorkflowId("flag-full"))
        .getEvents().stream().filter(e -> e.hasTimerStartedEventAttributes()).count();
    assertThat(timers).isEqualTo(4);
  }

  @Test
  void anUpdateMidSoakMovesTheFlagAtOnceAndTheScheduleGoesOnFromTheNextStepAboveIt()
      throws Exception {
    var workflow = temporal.start("flag-set-mid-soak", MigrationOptions.defaults(),
        rollout(List.of(5, 25, 50, 100), Duration.ofHours(1), List.of(), List.of()));
    soakingAt(workflow, 5);
    FeatureFlagWorkflow rollout = rolloutOf("flag-set-mid-soak");

    assertThatThrownBy(() -> rollout.setFlag(new FlagSetRequest(101, null, "bob", false)))
        .isInstanceOf(WorkflowUpdateException.class)
        .satisfies(e -> assertThat(rootMessage(e)).contains("0..100"));
    assertThatThrownBy(() -> rollout.setFlag(new FlagSetRequest(2, null, "bob", false)))
        .isInstanceOf(WorkflowUpdateException.class)
        .satisfies(e -> assertThat(rootMessage(e)).contains("needs --allow-decrease"));
    String answer = rollout.setFlag(new FlagSetRequest(40, "metrics look fine", "bob", false));

    assertThat(answer).contains("at 40 % (was 5 %)").contains("goes on with 50 %");
    assertThat(flags.flag("search_v2").percentage()).isEqualTo(40);
    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);
    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(flags.percentages("search_v2")).containsExactly(5, 40, 50, 100);
    FlagChange set = flags.changes().get(1);
    assertThat(set.changedBy()).isEqualTo("bob");
    assertThat(set.reason()).isEqualTo("metrics look fine");
    assertThatThrownBy(() -> rollout.setFlag(new FlagSetRequest(60, null, "bob", false)))
        .as("a finished rollout takes no Update").isInstanceOf(RuntimeException.class);
  }

  @Test
  void aDecreaseWithAllowDecreaseGoesDownAndTheScheduleClimbsAgain() throws Exception {
    var workflow = temporal.start("flag-decrease", MigrationOptions.defaults(),
        rollout(List.of(10, 50), Duration.ofHours(1), List.of(), List.of()));
    soakingAt(workflow, 10);

    rolloutOf("flag-decrease").setFlag(new FlagSetRequest(0, "pause exposure", "bob", true));

    temporal.resultOf(workflow, MigrationResult.class);
    assertThat(flags.percentages("search_v2")).containsExactly(10, 0, 10, 50);
  }

  @Test
  void aHeldRolloutStaysAtItsPercentagePastTheSoakUntilContinued() throws Exception {
    var workflow = temporal.start("flag-hold", MigrationOptions.defaults(),
        rollout(List.of(10, 100), SOAK, List.of(), List.of()));
    soakingAt(workflow, 10);
    FeatureFlagWorkflow rollout = rolloutOf("flag-hold");

    assertThat(rollout.holdRollout()).contains("stays at 10 %");
    assertThatThrownBy(rollout::holdRollout).isInstanceOf(WorkflowUpdateException.class);
    temporal.env.sleep(Duration.ofHours(2));
    MigrationStatus held = awaitStatus(workflow, s -> WaitingFor.CONTINUE.equals(s.waitingFor()));

    assertThat(held.phase()).isEqualTo("held");
    assertThat(flags.percentages("search_v2")).containsExactly(10);
    assertThat(rollout.continueRollout()).contains("100 %");
    assertThat(temporal.resultOf(workflow, MigrationResult.class).outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(flags.percentages("search_v2")).containsExactly(10, 100);
  }

  @Test
  void aStepListedInApproveAtWaitsForZdmApprove() throws Exception {
    var workflow = temporal.start("flag-approve", MigrationOptions.defaults(),
        rollout(List.of(50, 100), Duration.ZERO, List.of(), List.of(100)));

    MigrationStatus waiting = awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()));

    assertThat(waiting.message()).contains("at 50 %").contains("to 100 %");
    assertThat(flags.flag("search_v2").percentage()).isEqualTo(50);
    workflow.approve(new ApprovalRequest("lead", "dashboards green"));
    assertThat(temporal.resultOf(workflow, MigrationResult.class).outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(flags.percentages("search_v2")).containsExactly(50, 100);
    assertThat(workflow.status().steps()).anyMatch(s -> s.name().equals("approval-100")
        && s.detail().contains("lead"));
  }

  @Test
  void aGuardThatTurnsFalseDuringASoakPutsTheFlagBackAndSaysWhichAndWhen() {
    flags.flag("search_v2", true, 2);
    AtomicInteger runs = new AtomicInteger();
    temporal.script.when("FlagGuard " + GUARD,
        normal -> GuardResult.of(runs.incrementAndGet() < 4));
    var workflow = temporal.start("flag-guard-trip", MigrationOptions.defaults(),
        rollout(List.of(5, 50, 100), Duration.ofHours(1), List.of(GUARD), List.of()));

    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(flags.flag("search_v2")).isEqualTo(new FlagState(true, true, 2));
    assertThat(flags.percentages("search_v2")).containsExactly(5, 2);
    MigrationStatus status = workflow.status();
    assertThat(status.phase()).isEqualTo("rolled-back");
    assertThat(status.message()).contains("Guard `" + GUARD + "` returned false at 20")
        .contains("flag search_v2 at 5 %");
    FlagChange revert = flags.changes().get(1);
    assertThat(revert.changedBy()).isEqualTo("guard");
    assertThat(revert.reason()).contains(GUARD).contains("returned false");
  }

  @Test
  void aGuardThatFailsThreeTimesInARowTrips() {
    temporal.script.when("FlagGuard " + GUARD,
        normal -> GuardResult.failed("relation \"app_errors\" does not exist"));
    var workflow = temporal.start("flag-guard-fails", MigrationOptions.defaults(),
        rollout(List.of(5, 100), Duration.ofHours(1), List.of(GUARD), List.of()));

    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(temporal.script.count("FlagGuard " + GUARD)).isEqualTo(3);
    assertThat(flags.percentages("search_v2")).as("no step, only the restore the ledger records")
        .containsExactly(0);
    assertThat(flags.flag("search_v2")).isEqualTo(new FlagState(true, false, 0));
    assertThat(workflow.status().message()).contains("failed 3 times in a row")
        .contains("app_errors");
  }

  @Test
  void aRollbackRestoresTheFlagExactlyAsItWasBeforeTheRollout() throws Exception {
    flags.flag("search_v2", false, 30);
    var workflow = temporal.start("flag-rollback", MigrationOptions.defaults(),
        rollout(List.of(40, 100), Duration.ofHours(1), List.of(), List.of()));
    soakingAt(workflow, 40);

    workflow.rollback(new RollbackRequest("ops", "latency"));

    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);
    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(flags.flag("search_v2")).isEqualTo(new FlagState(true, false, 30));
    FlagChange revert = flags.changes().get(1);
    assertThat(revert.changedBy()).isEqualTo("ops");
    assertThat(revert.reason()).isEqualTo("rollback: latency");
  }

  private static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getMessage();
  }
}
