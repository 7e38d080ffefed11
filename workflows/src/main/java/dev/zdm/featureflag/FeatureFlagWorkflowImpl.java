package dev.zdm.featureflag;

import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.Strategy;
import dev.zdm.model.WaitingFor;
import dev.zdm.model.HumanDuration;
import dev.zdm.model.plan.FeatureFlagStep;
import dev.zdm.temporal.ZdmSearchAttributes;
import dev.zdm.workflow.BreakerGuard;
import dev.zdm.workflow.Compensations;
import dev.zdm.workflow.InboxControlledWorkflow;
import dev.zdm.workflow.StatusBoard;
import dev.zdm.workflow.WorkflowRelease;
import dev.zdm.workflow.ZdmActivityOptions;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * create the flag row if missing -> for each step: (approval) -> guards -> move the flag -> soak
 * (a durable timer, guards every guard-every) -> completed. {@code zdm flag set} moves the flag
 * at once and the schedule goes on from the next step above it; hold stops the schedule. A guard
 * that answers false or fails three times in a row, a rollback, a failure or a cancel all put
 * the flag back to exactly what it was before the rollout (the one registered undo).
 */
public class FeatureFlagWorkflowImpl extends InboxControlledWorkflow implements FeatureFlagWorkflow {
  static final int GUARD_FAILURES_TO_TRIP = 3;
  private static final long FOREVER = Long.MAX_VALUE;

  private FeatureFlagActivities activities;
  private FeatureFlagStep rollout;
  private String migrationId;
  private String workflowId;
  /** The number of the last change written; 0 is the start (FlagBegin). */
  private int sequence;
  private FlagState before;
  private FlagState now;
  private boolean held;
  private boolean finished;
  private boolean awaitingApproval;
  private ApprovalRequest approval;
  private long lastGuardsAt = Long.MIN_VALUE;
  private GuardTrip trip;
  /** Whether every guard answered true in their last run (a failure below three is no answer). */
  private boolean guardsPassed;
  private final Map<String, Integer> guardFailures = new HashMap<>();
  private final Set<Integer> approvedSteps = new HashSet<>();
  /** Who puts the flag back and why, read by the undo when it runs. */
  private String revertBy = "zdm";
  private String revertWhy = "rollout undone";
  private final Deque<PendingSet> pendingSets = new ArrayDeque<>();
  private final Map<Integer, String> setOutcomes = new HashMap<>();
  private int setsRequested;
  private String lastSearchPercentage;

  private record PendingSet(int ticket, FlagSetRequest request) {}

  /** A guard that tripped: which, what it answered, when. */
  private record GuardTrip(String sql, String outcome, long atMillis) {}

  /** Why a wait ended. */
  private enum Wake { DONE, SET, ROLLBACK, TRIPPED }

  @Override
  public MigrationResult run(FeatureFlagRequest request) {
    WorkflowRelease release = begin();
    activities = Workflow.newActivityStub(FeatureFlagActivities.class, ZdmActivityOptions.ddl(release));
    rollout = request.rollout();
    migrationId = request.migrationId();
    workflowId = Workflow.getInfo().getWorkflowId();
    String flag = rollout.flag();
    board = new StatusBoard(migrationId, Strategy.FEATURE_FLAG.cliName(), null, release);
    BreakerGuard guard = new BreakerGuard(migrationId, board, ddl);
    inbox.attach(migrationId, guard, null);
    Compensations undo = new Compensations(migrationId, board, release, guard);
    inbox.attachUndo(undo);
    board.rollbackPossible(true);
    try {
      board.phase("starting", "Reading flag " + flag + ".");
      FlagBeginning beginning =
          activities.begin(new FlagStart(migrationId, workflowId, flag, rollout.requestedBy()));
      before = beginning.before();
      shown(beginning.now());
      board.stepDone("flag", "flag " + flag + " was " + before.describe());
      // Registered once the prior state is known: every way the rollout ends early restores it.
      undo.register("flag " + flag + " back to " + before.describe(),
          () -> write(before.existed() && before.enabled(), before.existed() ? before.percentage() : 0,
              revertBy, revertWhy));
      if (inbox.rollbackRequested()) {
        return end(rollBack(undo));
      }
      boolean soakDue = false;
      boolean guardsRetryDue = false;
      while (true) {
        Wake wake = Wake.DONE;
        if (guardsRetryDue) {
          // A guard could not answer before the step: ask again after guard-every, never move blind.
          guardsRetryDue = false;
          wake = watch(Workflow.currentTimeMillis() + rollout.guardEvery().toMillis(), () -> false);
        }
        if (wake == Wake.DONE && soakDue && !rollout.soak().isZero()) {
          long until = Workflow.currentTimeMillis() + rollout.soak().toMillis();
          board.phase("soaking", soakMessage(until));
          wake = watch(until, () -> false);
        }
        if (wake == Wake.DONE && held) {
          board.phase("held", null);
          board.waitFor(WaitingFor.CONTINUE, "Flag " + flag + " is held at " + percentage()
              + " %: run `zdm flag continue " + migrationId + "` to go on with the schedule.");
          wake = watch(FOREVER, () -> !held);
        }
        Integer target = nextStep();
        if (wake == Wake.DONE && target != null && needsApproval(target)) {
          board.phase("awaiting-approval", null);
          board.waitFor(WaitingFor.APPROVAL, "Flag " + flag + " is at " + percentage() + " %; moving it"
              + " to " + target + " % waits for `zdm approve " + migrationId + "` (or `zdm rollback "
              + migrationId + "`).");
          approval = null;
          awaitingApproval = true;
          wake = watch(FOREVER, () -> approval != null);
          awaitingApproval = false;
          if (wake == Wake.DONE) {
            approvedSteps.add(target);
            board.stepDone("approval-" + target, "approved by " + approval.approvedBy());
          }
        }
        switch (wake) {
          case ROLLBACK -> {
            return end(rollBack(undo));
          }
          case TRIPPED -> {
            return end(tripped(undo));
          }
          case SET -> {
            applyPendingSets();
            soakDue = true;
            continue;
          }
          case DONE -> { }
        }
        if (target == null) {
          break;
        }
        if (!rollout.guards().isEmpty()) {
          board.phase("checking-guards", "Running " + rollout.guards().size() + " guard(s) before "
              + target + " %.");
          trip = runGuards();
          if (trip != null) {
            return end(tripped(undo));
          }
          if (!guardsPassed) {
            guardsRetryDue = true;
            continue;
          }
        }
        board.phase("moving", "Moving flag " + flag + " to " + target + " %.");
        write(true, target, rollout.requestedBy(), "schedule step " + target + " %");
        board.stepDone("step-" + target, "flag " + flag + " at " + target + " %");
        soakDue = true;
      }
      inbox.pointOfNoReturn();
      undo.pointOfNoReturn();
      board.rollbackPossible(false);
      String done = "Flag " + flag + " rolled out: " + now.describe() + ".";
      board.phase("completed", done);
      return end(new MigrationResult(migrationId, Outcome.COMPLETED, done, board.steps()));
    } catch (TemporalFailure failure) {
      finished = true;
      revertWhy = "rollout failed or canceled: " + Compensations.rootMessage(failure);
      throw undo.onFailure(failure, "flag " + flag + " back to " + describeBefore());
    }
  }

  /** Every normal end: pending Updates learn the rollout ended, and are answered before it does. */
  private MigrationResult end(MigrationResult result) {
    finished = true;
    while (!pendingSets.isEmpty()) {
      PendingSet pending = pendingSets.poll();
      setOutcomes.put(pending.ticket(), "Not applied: the rollout of flag " + rollout.flag()
          + " ended (" + board.phase() + ").");
    }
    Workflow.await(Workflow::isEveryHandlerFinished);
    return result;
  }

  /**
   * Waits until {@code done} holds or {@code untilMillis} passes, running the guards every
   * guard-every meanwhile; a rollback, a {@code zdm flag set} or a tripped guard end it early.
   */
  private Wake watch(long untilMillis, BooleanSupplier done) {
    BooleanSupplier wake =
        () -> inbox.rollbackRequested() || !pendingSets.isEmpty() || done.getAsBoolean();
    while (true) {
      if (inbox.rollbackRequested()) {
        return Wake.ROLLBACK;
      }
      if (!pendingSets.isEmpty()) {
        return Wake.SET;
      }
      if (done.getAsBoolean()) {
        return Wake.DONE;
      }
      long time = Workflow.currentTimeMillis();
      if (time >= untilMillis) {
        return Wake.DONE;
      }
      long wakeAt = untilMillis;
      if (!rollout.guards().isEmpty()) {
        long guardsDue = lastGuardsAt == Long.MIN_VALUE
            ? time : lastGuardsAt + rollout.guardEvery().toMillis();
        if (guardsDue <= time) {
          trip = runGuards();
          if (trip != null) {
            return Wake.TRIPPED;
          }
          continue;
        }
        wakeAt = Math.min(wakeAt, guardsDue);
      }
      if (wakeAt == FOREVER) {
        Workflow.await(wake::getAsBoolean);
      } else {
        Workflow.await(Duration.ofMillis(wakeAt - time), wake::getAsBoolean);
      }
    }
  }

  /** Runs every guard once; the first that answers false or has failed three times in a row trips. */
  private GuardTrip runGuards() {
    lastGuardsAt = Workflow.currentTimeMillis();
    guardsPassed = true;
    for (String sql : rollout.guards()) {
      GuardResult result = activities.checkGuard(
          new GuardCheck(migrationId, rollout.flag(), sql, GuardCheck.DEFAULT_TIMEOUT));
      long at = Workflow.currentTimeMillis();
      if (result.failed()) {
        int failures = guardFailures.merge(sql, 1, Integer::sum);
        board.stepFailed("guard", "`" + sql + "` failed (" + failures + " in a row): " + result.error());
        if (failures >= GUARD_FAILURES_TO_TRIP) {
          return new GuardTrip(sql, "failed " + failures + " times in a row (" + result.error() + ")", at);
        }
        guardsPassed = false;
        continue;
      }
      guardFailures.remove(sql);
      if (!Boolean.TRUE.equals(result.value())) {
        return new GuardTrip(sql, "returned false", at);
      }
    }
    return null;
  }

  private MigrationResult tripped(Compensations undo) {
    String reason = "Guard `" + trip.sql() + "` " + trip.outcome() + " at "
        + Instant.ofEpochMilli(trip.atMillis()) + " with flag " + rollout.flag() + " at "
        + percentage() + " %";
    board.stepFailed("guard-tripped", reason);
    revertBy = "guard";
    revertWhy = reason;
    return undo.rollBackAfter(reason, "flag " + rollout.flag() + " back to " + describeBefore());
  }

  private MigrationResult rollBack(Compensations undo) {
    RollbackRequest request = inbox.rollbackRequest();
    revertBy = request.requestedBy();
    revertWhy = "rollback" + (request.reason() == null ? "" : ": " + request.reason());
    return undo.rollBack(request, "flag " + rollout.flag() + " back to " + describeBefore());
  }

  private void applyPendingSets() {
    while (!pendingSets.isEmpty()) {
      PendingSet pending = pendingSets.poll();
      FlagSetRequest set = pending.request();
      int from = percentage();
      board.phase("moving", "Moving flag " + rollout.flag() + " to " + set.percentage() + " % on request of "
          + set.requestedBy() + ".");
      write(true, set.percentage(), set.requestedBy(),
          set.reason() == null ? "zdm flag set" : set.reason());
      board.stepDone("set-" + set.percentage(), "flag " + rollout.flag() + " set from " + from + " % to "
          + set.percentage() + " % by " + set.requestedBy());
      Integer next = nextStep();
      setOutcomes.put(pending.ticket(), "Flag " + rollout.flag() + " at " + set.percentage() + " % (was "
          + from + " %); " + (next == null ? "the rollout completes after its soak."
              : "the schedule goes on with " + next + " %."));
    }
  }

  /** One change of the flag, numbered so that a retried activity writes one history row. */
  private void write(boolean enabled, int percentage, String by, String why) {
    sequence++;
    shown(activities.change(new FlagChange(
        migrationId, workflowId, sequence, rollout.flag(), enabled, percentage, by, why)));
  }

  private void shown(FlagState state) {
    now = state;
    String percentage = String.valueOf(state.effectivePercentage());
    if (!percentage.equals(lastSearchPercentage)) {
      lastSearchPercentage = percentage;
      Workflow.upsertTypedSearchAttributes(
          ZdmSearchAttributes.FLAG.valueSet(rollout.flag()),
          ZdmSearchAttributes.FLAG_PERCENTAGE.valueSet(percentage));
    }
  }

  private int percentage() {
    return now == null ? 0 : now.effectivePercentage();
  }

  /** The first step above the current percentage; null once the flag is at or past the last. */
  private Integer nextStep() {
    int current = percentage();
    return rollout.steps().stream().filter(step -> step > current).findFirst().orElse(null);
  }

  private boolean needsApproval(int target) {
    return rollout.approveAt().contains(target) && !approvedSteps.contains(target);
  }

  private String soakMessage(long until) {
    Integer next = nextStep();
    return "Flag " + rollout.flag() + " at " + percentage() + " %; "
        + (next == null ? "the rollout completes" : "next step " + next + " %") + " at "
        + Instant.ofEpochMilli(until) + " (soak " + HumanDuration.format(rollout.soak()) + ")"
        + (rollout.guards().isEmpty() ? "." : "; guards run every "
            + HumanDuration.format(rollout.guardEvery()) + ".");
  }

  private String describeBefore() {
    return before == null ? "its state before the rollout" : before.describe();
  }

  // Controls.

  @Override
  public void approve(ApprovalRequest request) {
    if (awaitingApproval) {
      approval = request;
    }
  }

  @Override
  public void validateSetFlag(FlagSetRequest request) {
    if (request == null) {
      throw new IllegalArgumentException("A flag change needs a percentage.");
    }
    if (request.percentage() < 0 || request.percentage() > 100) {
      throw new IllegalArgumentException("A percentage is 0..100, got " + request.percentage() + ".");
    }
    requireRunning();
    int current = pendingSets.isEmpty() ? percentage() : pendingSets.peekLast().request().percentage();
    if (request.percentage() == current) {
      throw refused("flag " + rollout.flag() + " is already at " + current + " %");
    }
    if (request.percentage() < current && !request.allowDecrease()) {
      throw refused("flag " + rollout.flag() + " is at " + current + " %: going down to "
          + request.percentage() + " % needs --allow-decrease");
    }
  }

  @Override
  public String setFlag(FlagSetRequest request) {
    int ticket = ++setsRequested;
    pendingSets.add(new PendingSet(ticket, request));
    Workflow.await(() -> setOutcomes.containsKey(ticket));
    return setOutcomes.remove(ticket);
  }

  @Override
  public void validateHoldRollout() {
    requireRunning();
    if (held) {
      throw refused("it is already held at " + percentage() + " %");
    }
  }

  @Override
  public String holdRollout() {
    held = true;
    return "Held: flag " + rollout.flag() + " stays at " + percentage() + " % until `zdm flag continue "
        + migrationId + "`.";
  }

  @Override
  public void validateContinueRollout() {
    requireRunning();
    if (!held) {
      throw refused("it is not held (" + board.phase() + ")");
    }
  }

  @Override
  public String continueRollout() {
    held = false;
    Integer next = nextStep();
    return "Continued: flag " + rollout.flag() + " goes on"
        + (next == null ? " to the end of its rollout." : " with " + next + " %.");
  }

  private void requireRunning() {
    if (rollout == null || now == null) {
      throw new IllegalStateException("The flag rollout is starting: try again in a moment.");
    }
    if (finished || inbox.rollbackRequested()) {
      throw refused("the rollout has ended or is being rolled back (" + board.phase() + ")");
    }
  }

  private IllegalStateException refused(String why) {
    return new IllegalStateException("Flag rollout " + migrationId + ": " + why + ".");
  }
}
