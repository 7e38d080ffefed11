package dev.zdm.migration;

import dev.zdm.activities.DdlActivities;
import dev.zdm.activities.DdlStatement;
import dev.zdm.activities.MigrationActivities;
import dev.zdm.activities.ZdmFailures;
import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.MigrationRequest;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.MigrationStatus;
import dev.zdm.model.Outcome;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.Strategy;
import dev.zdm.model.TableRef;
import dev.zdm.model.ThrottleRequest;
import dev.zdm.model.WaitingFor;
import dev.zdm.model.plan.Plan;
import dev.zdm.model.plan.PlanStep;
import dev.zdm.temporal.ZdmNames;
import dev.zdm.temporal.ZdmSearchAttributes;
import dev.zdm.model.MigrationOptions;
import dev.zdm.operation.CompletedUndo;
import dev.zdm.operation.StepOperations;
import dev.zdm.operation.StepRun;
import dev.zdm.workflow.BreakerGuard;
import dev.zdm.workflow.Compensations;
import dev.zdm.workflow.WorkflowRelease;
import dev.zdm.workflow.StatusBoard;
import dev.zdm.workflow.StrategyWorkflowControls;
import dev.zdm.workflow.ZdmActivityOptions;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ActivityFailure;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import dev.zdm.backfill.BatchSettings;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;

/**
 * Prepares the plan, then runs its steps in order. Control requests go to the strategy workflow
 * that runs; those that arrive between strategies wait for the next one.
 */
public class MigrationWorkflowImpl implements MigrationWorkflow {

  private static final Logger log = Workflow.getLogger(MigrationWorkflowImpl.class);

  private final StepOperations operations = MigrationOperations.all();
  private WorkflowRelease release;
  private MigrationActivities migrationActivities;
  private MigrationActivities claimReleases;
  private DdlActivities ddl;
  private DdlActivities longDdl;
  /** The plan-level saga: what a rollback of the whole file undoes (operation model only). */
  private Compensations planUndo;

  private MigrationRequest request;
  private StatusBoard board;
  private BreakerGuard guard;
  private Plan plan;
  private String refusal;
  private String refusalType;
  private boolean finished;
  /** Whether this run claims its tables in the ledger and releases them when it ends. */
  private boolean claimsTables;
  private String activeChildId;
  private RollbackRequest rollbackRequest;
  /** The plan step that runs now; null before the first and after the last. */
  private PlanStep currentStep;
  /** Signals that arrived while no strategy workflow ran; the next one to start gets them. */
  private final List<PendingSignal> pendingSignals = new ArrayList<>();

  private record PendingSignal(String name, Object argument) {}

  @Override
  public MigrationResult run(MigrationRequest migrationRequest) {
    release = WorkflowRelease.ofThisRun();
    migrationActivities = Workflow.newActivityStub(MigrationActivities.class, ZdmActivityOptions.prepare());
    // The release runs after the migration changed things: a PostgreSQL outage there must be
    // waited out (retried like a DDL step, until refused), not end with the claim left behind
    // after five attempts. Only the retry policy differs: the commands are the same (0420).
    claimReleases = Workflow.newActivityStub(MigrationActivities.class, ZdmActivityOptions.ddl());
    ddl = Workflow.newActivityStub(DdlActivities.class, ZdmActivityOptions.ddl(release));
    longDdl = Workflow.newActivityStub(DdlActivities.class, ZdmActivityOptions.data(release));
    request = migrationRequest;
    // Runs that began before table claims existed neither claim nor release (their commands stay).
    claimsTables = Workflow.getVersion(TABLE_CLAIMS_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1;
    String strategy = request.strategy() == null ? "auto" : request.strategy().cliName();
    board = new StatusBoard(request.migrationId(), strategy, null, release);
    guard = new BreakerGuard(request.migrationId(), board, ddl);
    planUndo = new Compensations(request.migrationId(), board, release, guard);
    board.rollbackPossible(true);
    int firstStep;
    MigrationRequest.Continued continued = request.continued();
    if (continued == null) {
      board.phase("preparing", "Checking " + request.sourceName() + " against the database.");
      Plan prepared;
      try {
        prepared = migrationActivities.prepare(request);
      } catch (ActivityFailure failure) {
        if (release.operationModel() && Compensations.workflowCanceled()) {
          finished = true;
          board.phase("canceled", "Canceled while the plan was being made; nothing was changed.");
          throw new CanceledFailure("Migration " + request.migrationId() + " was canceled", rootMessage(failure));
        }
        return refuse(rootMessage(failure), failureType(failure));
      }
      // The plan is published (awaitPlan) only once its tables are claimed: a refusal here is
      // a refusal of the start, before anything changed.
      if (claimsTables) {
        try {
          migrationActivities.claimTables(prepared);
        } catch (ActivityFailure failure) {
          // A refusal claims nothing; a cancellation may land after the claim committed.
          releaseClaims();
          if (Compensations.workflowCanceled()) {
            finished = true;
            board.phase("canceled", "Canceled while its tables were being claimed; nothing was changed.");
            throw new CanceledFailure("Migration " + request.migrationId() + " was canceled", rootMessage(failure));
          }
          return refuse(rootMessage(failure), failureType(failure));
        }
      }
      plan = prepared;
      board.strategyAndTable(strategyOf(plan), tableOf(plan));
      board.stepDone("plan", plan.steps().size() + " step(s): " + describe(plan));
      firstStep = 0;
    } else {
      firstStep = carryOn(continued);
    }

    try {
      String lastMessage = "";
      for (int i = firstStep; i < plan.steps().size(); i++) {
        if (i > firstStep && historyTooLong()) {
          // Between steps only: no child runs, so none is cancelled by the parent's close policy.
          Workflow.await(Workflow::isEveryHandlerFinished);
          if (rollbackRequest == null) {
            Workflow.continueAsNew(request.continuedAs(carry(i)));
          }
        }
        if (rollbackRequest != null) {
          String before = "Rolled back before step " + (i + 1) + " started";
          if (release.operationModel()) {
            return finishRolledBack(planUndo.rollBackAfter(
                before + " (on request of " + rollbackRequest.requestedBy() + ")", UNDO_DETAIL));
          }
          return finish(Outcome.ROLLED_BACK, before + ".");
        }
        PlanStep step = plan.steps().get(i);
        currentStep = step;
        PlanStepRun run = new PlanStepRun(i + 1, step);
        CompletedUndo undo = release.operationModel() ? operations.undoAfterCompletion(run, step) : null;
        // Registered before the step: its call may fail although its statement took effect.
        registerBefore(undo);
        MigrationResult stepResult = operations.run(run, step);
        if (stepResult != null && stepResult.outcome() == Outcome.ROLLED_BACK) {
          if (release.operationModel()) {
            return finishRolledBack(planUndo.rollBackAfter(
                "Step " + (i + 1) + ": " + stepResult.message(), UNDO_DETAIL));
          }
          return finish(Outcome.ROLLED_BACK, stepResult.message());
        }
        registerAfter(i + 1, step, undo);
        if (release.operationModel()) {
          board.rollbackPossible(true);
        }
        if (stepResult != null) {
          lastMessage = " " + stepResult.message();
        }
      }
      return finish(Outcome.COMPLETED, "All " + plan.steps().size() + " step(s) done." + lastMessage);
    } catch (TemporalFailure failure) {
      if (!release.operationModel()) {
        finished = true;
        board.phase("failed", rootMessage(failure));
        throw failure;
      }
      TemporalFailure ending = planUndo.onFailure(failure, UNDO_DETAIL);
      releaseClaims();
      finished = true;
      throw ending;
    } catch (RuntimeException failure) {
      releaseClaims();
      finished = true;
      board.phase("failed", rootMessage(failure));
      throw failure;
    }
  }

  private void registerBefore(CompletedUndo undo) {
    if (undo instanceof CompletedUndo.Undo reversible) {
      planUndo.register(reversible.what(), reversible.action());
    }
  }

  private void registerAfter(int number, PlanStep step, CompletedUndo undo) {
    if (undo instanceof CompletedUndo.Irreversible irreversible) {
      planUndo.registerIrreversible("step " + number + " (" + step.describe() + ")",
          irreversible.because());
    }
  }

  /**
   * Whether this run should hand over to a new one before its next step. Asked only once the
   * history is long, so the version marker is recorded only by runs that continue as new.
   */
  private boolean historyTooLong() {
    if (!release.operationModel()) {
      return false;
    }
    boolean tooLong = Workflow.getInfo().getHistoryLength() > request.continueAsNewAfterEvents()
        || Workflow.getInfo().isContinueAsNewSuggested();
    return tooLong
        && Workflow.getVersion(CONTINUE_AS_NEW_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1;
  }

  /** What the next run needs, as data: the undo list is rebuilt from the plan, not carried. */
  private MigrationRequest.Continued carry(int nextStep) {
    List<MigrationRequest.KeptSignal> kept = pendingSignals.stream()
        .map(pending -> new MigrationRequest.KeptSignal(pending.name(),
            pending.argument() instanceof ThrottleRequest throttle ? throttle : null,
            pending.argument() instanceof DeploymentSignal deployment ? deployment : null))
        .toList();
    return new MigrationRequest.Continued(plan, nextStep, board.steps(), rollbackRequest, kept);
  }

  /**
   * Takes over from the run that continued as new: its plan (not made again), its status steps,
   * its inbox, and the undo list of the steps it completed, rebuilt through their operations in
   * the order they ran. Returns the index of the step to run next.
   */
  private int carryOn(MigrationRequest.Continued continued) {
    plan = continued.plan();
    board.strategyAndTable(strategyOf(plan), tableOf(plan));
    board.carrySteps(continued.steps());
    rollbackRequest = continued.rollback();
    continued.keptSignals().forEach(kept ->
        pendingSignals.add(new PendingSignal(kept.name(), kept.argument())));
    for (int i = 0; i < continued.nextStep(); i++) {
      PlanStep done = plan.steps().get(i);
      CompletedUndo undo = operations.undoAfterCompletion(new PlanStepRun(i + 1, done), done);
      registerBefore(undo);
      registerAfter(i + 1, done, undo);
    }
    board.phase("continued", "Continued as new before step " + (continued.nextStep() + 1)
        + " of " + plan.steps().size() + "; the steps before it are done.");
    return continued.nextStep();
  }

  /** Marks the runs that claim their tables before the first step and release them at the end. */
  static final String TABLE_CLAIMS_CHANGE = "zdm-table-claims";

  /**
   * Releases this migration's table claims as it ends, even when it ends by cancellation. A
   * release that keeps failing leaves the claim row naming this migration (docs/runbooks.md).
   */
  private void releaseClaims() {
    if (!claimsTables) {
      return;
    }
    try {
      Workflow.newDetachedCancellationScope(
          () -> claimReleases.releaseTables(request.migrationId())).run();
    } catch (ActivityFailure failure) {
      log.warn("[{}] its table claims stay in the ledger: {}", request.migrationId(),
          rootMessage(failure));
    }
  }

  /** Marks the runs that continue as new between steps (and carry their saga as data). */
  static final String CONTINUE_AS_NEW_CHANGE = "zdm-parent-continue-as-new";

  /** What the parent's own undo list holds: earlier steps of the file, newest first. */
  private static final String UNDO_DETAIL = "the file's earlier steps undone where they can be";

  private MigrationResult finishRolledBack(MigrationResult rolledBack) {
    releaseClaims();
    finished = true;
    Workflow.await(Workflow::isEveryHandlerFinished);
    return rolledBack;
  }

  /** Ends a migration that was refused before anything ran; awaitPlan callers get the reason. */
  private MigrationResult refuse(String reason, String type) {
    refusal = reason;
    refusalType = type;
    board.rollbackPossible(false);
    board.phase("refused", reason);
    finished = true;
    Workflow.await(Workflow::isEveryHandlerFinished);
    throw ApplicationFailure.newNonRetryableFailure(reason, type);
  }

  /** The parent's side of the step that runs now, handed to the step's operation. */
  private final class PlanStepRun implements StepRun {
    private final int number;
    private final PlanStep step;

    PlanStepRun(int number, PlanStep step) {
      this.number = number;
      this.step = step;
    }

    @Override
    public String migrationId() {
      return request.migrationId();
    }

    @Override
    public int number() {
      return number;
    }

    @Override
    public MigrationOptions options() {
      return request.options();
    }

    @Override
    public WorkflowRelease release() {
      return release;
    }

    @Override
    public String progressKey(String strategyKey) {
      return release.operationModel() ? strategyKey + "-step-" + number : null;
    }

    @Override
    public <W> MigrationResult runChild(
        Strategy strategy, Class<W> workflowInterface, Function<W, Promise<MigrationResult>> start) {
      return MigrationWorkflowImpl.this.runChild(
          number, step, strategy, tableName(step), workflowInterface, start);
    }

    @Override
    public void runStatement(String sql, boolean transactional) {
      MigrationWorkflowImpl.this.runStatement(number, sql, transactional);
    }

    @Override
    public void runUndoStatement(String sql, boolean transactional) {
      // Not through the guard: the undo list shows its own rollback-failed state on an open breaker.
      (transactional ? ddl : longDdl).runDdl(statement("undo of step " + number, sql, transactional));
    }
  }

  /**
   * One statement through the DDL runner; one outside a transaction (CONCURRENTLY) may run for
   * hours, so it gets the heartbeating activity options.
   */
  private void runStatement(int number, String sql, boolean transactional) {
    String description = "step " + number + ": " + sql.strip().lines().findFirst().orElse("");
    board.phase("step-" + number, description);
    DdlStatement statement = statement(description, sql, transactional);
    DdlActivities runner = transactional ? ddl : longDdl;
    guard.run(() -> runner.runDdl(statement));
    board.stepDone("step-" + number, description);
  }

  private DdlStatement statement(String description, String sql, boolean transactional) {
    return new DdlStatement(
        request.migrationId(),
        description,
        sql,
        transactional,
        request.options().lockTimeout(),
        request.options().statementTimeout());
  }

  private static String tableName(PlanStep step) {
    return step.table() == null ? null : step.table().displayName();
  }

  private <W> MigrationResult runChild(
      int number,
      PlanStep step,
      Strategy strategy,
      String table,
      Class<W> workflowInterface,
      Function<W, Promise<MigrationResult>> start) {
    String childId = ZdmNames.childWorkflowId(request.migrationId(), number, strategy);
    ChildWorkflowOptions.Builder builder = ChildWorkflowOptions.newBuilder();
    if (release.operationModel()) {
      // Terminating or resetting the parent asks the child to undo itself instead of killing it.
      builder.setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL);
    }
    ChildWorkflowOptions options =
        builder
            .setWorkflowId(childId)
            .setStaticSummary(step.describe())
            .setTypedSearchAttributes(
                SearchAttributes.newBuilder()
                    .set(ZdmSearchAttributes.MIGRATION_ID, request.migrationId())
                    .set(ZdmSearchAttributes.TABLE, table == null ? ZdmSearchAttributes.NOTHING : table)
                    .set(ZdmSearchAttributes.STRATEGY, strategy.cliName())
                    .set(ZdmSearchAttributes.PHASE, "starting")
                    .set(ZdmSearchAttributes.WAITING_FOR, ZdmSearchAttributes.NOTHING)
                    .build())
            .build();
    W child = Workflow.newChildWorkflowStub(workflowInterface, options);
    board.phase("step-" + number, "Starting " + step.describe() + " as " + childId + ".");
    Promise<MigrationResult> result = start.apply(child);
    Workflow.getWorkflowExecution(child).get();
    activeChildId = childId;
    for (PendingSignal pending : pendingSignals) {
      forward(pending.name(), pending.argument());
    }
    pendingSignals.clear();
    if (rollbackRequest != null) {
      forward(StrategyWorkflowControls.ROLLBACK, rollbackRequest);
    }
    try {
      MigrationResult childResult = result.get();
      board.childFinished(childResult.steps());
      return childResult;
    } finally {
      activeChildId = null;
    }
  }

  private MigrationResult finish(Outcome outcome, String message) {
    releaseClaims();
    finished = true;
    board.rollbackPossible(false);
    board.phase(outcome == Outcome.COMPLETED ? "completed" : "rolled-back", message);
    Workflow.await(Workflow::isEveryHandlerFinished);
    return new MigrationResult(request.migrationId(), outcome, message, board.steps());
  }

  private void forwardOrKeep(String signalName, Object argument) {
    if (activeChildId != null) {
      forward(signalName, argument);
    } else {
      pendingSignals.add(new PendingSignal(signalName, argument));
    }
  }

  private void forward(String signalName, Object argument) {
    if (argument == null) {
      Workflow.newUntypedExternalWorkflowStub(activeChildId).signal(signalName);
    } else {
      Workflow.newUntypedExternalWorkflowStub(activeChildId).signal(signalName, argument);
    }
  }

  @Override
  public MigrationStatus status() {
    return board == null ? null : board.snapshot();
  }

  @Override
  public Plan awaitPlan() {
    Workflow.await(() -> plan != null || refusal != null);
    if (plan == null) {
      throw ApplicationFailure.newNonRetryableFailure(refusal, refusalType);
    }
    return plan;
  }

  @Override
  public void deployed(DeploymentSignal signal) {
    if (release == null || !release.operationModel()) {
      forwardOrKeep(StrategyWorkflowControls.DEPLOYED, signal);
      return;
    }
    // The signal is checked like the Update: one kept for "the next step" could pass the wrong gate.
    try {
      validateConfirmDeployment(signal);
      forward(StrategyWorkflowControls.DEPLOYED, signal);
    } catch (IllegalStateException refused) {
      log.warn("[{}] deployment signal ignored: {}", request.migrationId(), refused.getMessage());
    }
  }

  @Override
  public void validateApprove(ApprovalRequest approval) {
    String migrationId = request == null ? "this migration" : request.migrationId();
    if (finished || board == null || !WaitingFor.APPROVAL.equals(board.waitingFor())) {
      String state = board == null ? "starting" : describeState();
      throw new IllegalStateException(
          "Nothing in migration " + migrationId + " awaits approval: it is " + state + ".");
    }
    if (activeChildId == null) {
      throw new IllegalStateException("Nothing in migration " + migrationId
          + " awaits approval: no step's workflow runs now.");
    }
    if (rollbackRequest != null) {
      throw new IllegalStateException("Migration " + migrationId
          + " is being rolled back (requested by " + rollbackRequest.requestedBy()
          + "): nothing will be approved.");
    }
  }

  @Override
  public String approve(ApprovalRequest approval) {
    String child = activeChildId;
    forward(StrategyWorkflowControls.APPROVE, approval);
    if (Workflow.getVersion(APPROVE_ANSWER_CHANGE, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) {
      return "Approved: " + child + " goes on."; // the behaviour of runs that began before this change
    }
    // Answer from what the child did with it: the approval and a rollback race to the child as
    // signals, and only the child's next state says which one it acted on.
    Workflow.await(() -> finished || !child.equals(activeChildId)
        || !WaitingFor.APPROVAL.equals(board.waitingFor()));
    if (UNDOING_PHASES.contains(board.phase())) {
      throw ApplicationFailure.newNonRetryableFailure("Not approved: a rollback of "
          + request.migrationId() + " reached " + child + " first; it is " + describeState() + ".",
          "NotApproved");
    }
    return "Approved: " + child + " goes on (" + describeState() + ").";
  }

  /** Phases of a step that is undoing itself or has ended without going on. */
  private static final Set<String> UNDOING_PHASES = Set.of(
      Compensations.COMPENSATING, Compensations.ROLLBACK_FAILED, Compensations.ROLLED_BACK,
      Compensations.ROLLED_BACK_PARTIALLY, "failed", "canceled");

  /** Marks runs whose approve answers from the child's state instead of at once. */
  static final String APPROVE_ANSWER_CHANGE = "zdm-approve-answer";

  @Override
  public void validateRollback(RollbackRequest rollback) {
    String migrationId = request == null ? "this migration" : request.migrationId();
    if (!finished && board != null && Compensations.ROLLBACK_FAILED.equals(board.phase())) {
      return; // a retry of the undo that failed
    }
    if (finished) {
      throw new IllegalStateException(
          "Migration " + migrationId + " has already ended (" + board.phase() + ").");
    }
    if (board != null && !board.rollbackPossible()) {
      throw new IllegalStateException(
          "Migration "
              + migrationId
              + " is past its point of no return ("
              + board.phase()
              + "): the original schema can only be restored by hand, from the archive.");
    }
    if (rollbackRequest != null) {
      throw new IllegalStateException("A rollback of " + migrationId + " is already under way.");
    }
  }

  @Override
  public String rollback(RollbackRequest rollback) {
    if (rollbackRequest != null && planUndo != null) {
      planUndo.retryRequested();
      if (activeChildId != null) {
        forward(StrategyWorkflowControls.ROLLBACK, rollback);
      }
      return "Retrying the undo that failed.";
    }
    rollbackRequest = rollback;
    if (activeChildId != null) {
      forward(StrategyWorkflowControls.ROLLBACK, rollback);
      return "Rollback requested: " + activeChildId + " undoes its steps.";
    }
    return "Rollback requested: no step will start.";
  }

  @Override
  public void breakerReset() {
    guard.resetSignalled();
    if (activeChildId != null) {
      forward(StrategyWorkflowControls.BREAKER_RESET, null);
    }
  }

  @Override
  public void pause() {
    forwardOrKeep(StrategyWorkflowControls.PAUSE, null);
  }

  @Override
  public void resume() {
    forwardOrKeep(StrategyWorkflowControls.RESUME, null);
  }

  @Override
  public void throttle(ThrottleRequest throttle) {
    forwardOrKeep(StrategyWorkflowControls.THROTTLE, throttle);
  }

  // Controls as Updates: the validator answers from the state of the step that runs, so a
  // control that cannot act is refused instead of acknowledged.

  @Override
  public void validateConfirmDeployment(DeploymentSignal signal) {
    requireRunning();
    if (!release.operationModel()) {
      return; // a first-release run: its children do not publish what they can act on
    }
    if (plan == null) {
      throw refused("its plan is not made yet; send the deployment once `zdm status` shows a gate");
    }
    List<String> planned = new ArrayList<>();
    plan.steps().forEach(step -> planned.addAll(operations.deploymentStages(step)));
    if (planned.isEmpty()) {
      throw refused("no step of it waits for a deployment");
    }
    if (signal.stage() != null && !planned.contains(signal.stage())) {
      throw refused("it waits for no deployment stage '" + signal.stage() + "'; its stages are: "
          + String.join(", ", new LinkedHashSet<>(planned)));
    }
    List<String> running = currentStep == null || activeChildId == null
        ? List.of() : operations.deploymentStages(currentStep);
    if (running.isEmpty() || (signal.stage() != null && !running.contains(signal.stage()))) {
      throw refused("the step that runs now (" + describeState() + ") waits for no deployment"
          + (signal.stage() == null ? "" : " '" + signal.stage() + "'")
          + "; send it when `zdm status` shows the gate");
    }
  }

  @Override
  public String confirmDeployment(DeploymentSignal signal) {
    if (!release.operationModel()) {
      forwardOrKeep(StrategyWorkflowControls.DEPLOYED, signal);
      return "Deployment of version " + signal.version() + " sent.";
    }
    forward(StrategyWorkflowControls.DEPLOYED, signal);
    return "Deployment of version " + signal.version()
        + (signal.stage() == null ? "" : " (" + signal.stage() + ")") + " recorded for " + activeChildId + ".";
  }

  @Override
  public void validatePauseBatches() {
    requirePausable();
    if (release.operationModel() && WaitingFor.RESUME.equals(board.waitingFor())) {
      throw refused("it is already paused");
    }
  }

  @Override
  public String pauseBatches() {
    if (!release.operationModel()) {
      forwardOrKeep(StrategyWorkflowControls.PAUSE, null);
      return "Pause sent: batches stop at the next one.";
    }
    forward(StrategyWorkflowControls.PAUSE, null);
    return "Paused: " + activeChildId + " stops after the batch in flight.";
  }

  @Override
  public void validateResumeBatches() {
    requireRunning();
    if (!release.operationModel()) {
      return;
    }
    if (activeChildId == null || !WaitingFor.RESUME.equals(board.waitingFor())) {
      throw refused("it is not paused (" + describeState() + ")");
    }
  }

  @Override
  public String resumeBatches() {
    if (!release.operationModel()) {
      forwardOrKeep(StrategyWorkflowControls.RESUME, null);
      return "Resume sent.";
    }
    forward(StrategyWorkflowControls.RESUME, null);
    return "Resumed: " + activeChildId + " goes on with its batches.";
  }

  @Override
  public void validateThrottleBatches(ThrottleRequest throttle) {
    if (throttle == null || (throttle.batchSize() == null && throttle.delayMs() == null)) {
      throw new IllegalArgumentException("A throttle needs a batch size or a delay.");
    }
    if (throttle.batchSize() != null) {
      BatchSettings.checkBatchSize("batch size", throttle.batchSize());
    }
    if (throttle.delayMs() != null) {
      BatchSettings.checkDelay("delay", throttle.delayMs());
    }
    requirePausable();
  }

  @Override
  public String throttleBatches(ThrottleRequest throttle) {
    if (!release.operationModel()) {
      forwardOrKeep(StrategyWorkflowControls.THROTTLE, throttle);
      return "Throttle sent: from the next batch.";
    }
    forward(StrategyWorkflowControls.THROTTLE, throttle);
    return "Throttled: " + activeChildId + " uses"
        + (throttle.batchSize() == null ? "" : " " + throttle.batchSize() + "-row batches")
        + (throttle.delayMs() == null ? "" : " with " + throttle.delayMs() + " ms between them")
        + " from its next batch.";
  }

  private void requireRunning() {
    if (finished || board == null || release == null) {
      String migrationId = request == null ? "this migration" : request.migrationId();
      throw new IllegalStateException("Migration " + migrationId
          + (finished ? " has already ended (" + board.phase() + ")." : " is starting."));
    }
  }

  private void requirePausable() {
    requireRunning();
    if (!release.operationModel()) {
      return;
    }
    if (activeChildId == null || !board.pausable()) {
      throw refused("the step that runs now (" + describeState() + ") has no batches to pause or"
          + " throttle: only backfills, batched UPDATE/DELETE steps, the blue-green copy and comparison"
          + " and the expand-contract archive copy can; index builds and validations run to their end");
    }
  }

  private IllegalStateException refused(String why) {
    return new IllegalStateException("Migration " + request.migrationId() + ": " + why + ".");
  }

  @Override
  public void childStatus(MigrationStatus status) {
    if (board != null && status != null && status.workflowId().equals(activeChildId)) {
      board.mirrorChild(status);
    }
  }

  private String describeState() {
    return board.waitingFor() == null
        ? "in phase " + board.phase()
        : "waiting for " + board.waitingFor();
  }

  private static String describe(Plan plan) {
    return String.join("; ", plan.steps().stream().map(PlanStep::describe).toList());
  }

  private static String strategyOf(Plan plan) {
    return plan.steps().stream()
        .map(PlanStep::strategy)
        .filter(java.util.Objects::nonNull)
        .map(Strategy::cliName)
        .findFirst()
        .orElse("direct");
  }

  private static String tableOf(Plan plan) {
    return plan.steps().stream()
        .map(PlanStep::table)
        .filter(java.util.Objects::nonNull)
        .map(TableRef::displayName)
        .findFirst()
        .orElse(null);
  }

  private static String failureType(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof ApplicationFailure application) {
        return application.getType();
      }
    }
    return ZdmFailures.INVALID_MIGRATION;
  }

  /** The innermost message: the one that names the actual cause, not the Temporal wrapping. */
  static String rootMessage(Throwable failure) {
    return Compensations.rootMessage(failure);
  }
}
