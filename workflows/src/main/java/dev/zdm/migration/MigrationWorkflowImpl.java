package dev.zdm.migration;

import dev.zdm.activities.DdlActivities;
import dev.zdm.activities.DdlStatement;
import dev.zdm.activities.MigrationActivities;
import dev.zdm.activities.ZdmFailures;
import dev.zdm.expandcontract.ExpandContractRequest;
import dev.zdm.expandcontract.ExpandContractWorkflow;
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
import dev.zdm.bluegreen.BlueGreenRequest;
import dev.zdm.bluegreen.BlueGreenWorkflow;
import dev.zdm.dualwrite.DualWriteWorkflow;
import dev.zdm.model.plan.BlueGreenStep;
import dev.zdm.model.plan.ConcurrentIndexStep;
import dev.zdm.model.plan.ConstraintStep;
import dev.zdm.model.plan.DirectStep;
import dev.zdm.model.plan.DualWriteStep;
import dev.zdm.model.plan.ProgressiveDmlStep;
import dev.zdm.progressive.ProgressiveRequest;
import dev.zdm.progressive.ProgressiveWorkflow;
import dev.zdm.model.plan.ExpandContractStep;
import dev.zdm.model.plan.Plan;
import dev.zdm.model.plan.PlanStep;
import dev.zdm.temporal.ZdmNames;
import dev.zdm.temporal.ZdmSearchAttributes;
import dev.zdm.workflow.BreakerGuard;
import dev.zdm.workflow.StatusBoard;
import dev.zdm.workflow.StrategyWorkflowControls;
import dev.zdm.workflow.ZdmActivityOptions;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Prepares the plan, then runs its steps in order. Control requests go to the strategy workflow
 * that runs; those that arrive between strategies wait for the next one.
 */
public class MigrationWorkflowImpl implements MigrationWorkflow {

  private final MigrationActivities migrationActivities =
      Workflow.newActivityStub(MigrationActivities.class, ZdmActivityOptions.prepare());
  private final DdlActivities ddl =
      Workflow.newActivityStub(DdlActivities.class, ZdmActivityOptions.ddl());
  private final DdlActivities longDdl =
      Workflow.newActivityStub(DdlActivities.class, ZdmActivityOptions.data());

  private MigrationRequest request;
  private StatusBoard board;
  private BreakerGuard guard;
  private Plan plan;
  private String refusal;
  private String refusalType;
  private boolean finished;
  private String activeChildId;
  private RollbackRequest rollbackRequest;
  /** Signals that arrived while no strategy workflow ran; the next one to start gets them. */
  private final List<PendingSignal> pendingSignals = new ArrayList<>();

  private record PendingSignal(String name, Object argument) {}

  @Override
  public MigrationResult run(MigrationRequest migrationRequest) {
    request = migrationRequest;
    String strategy = request.strategy() == null ? "auto" : request.strategy().cliName();
    board = new StatusBoard(request.migrationId(), strategy, null);
    guard = new BreakerGuard(request.migrationId(), board, ddl);
    board.rollbackPossible(true);
    board.phase("preparing", "Checking " + request.sourceName() + " against the database.");
    Plan prepared;
    try {
      prepared = migrationActivities.prepare(request);
    } catch (ActivityFailure failure) {
      return refuse(rootMessage(failure), failureType(failure));
    }
    plan = prepared;
    board.strategyAndTable(strategyOf(plan), tableOf(plan));
    board.stepDone("plan", plan.steps().size() + " step(s): " + describe(plan));

    try {
      String lastMessage = "";
      for (int i = 0; i < plan.steps().size(); i++) {
        if (rollbackRequest != null) {
          return finish(Outcome.ROLLED_BACK, "Rolled back before step " + (i + 1) + " started.");
        }
        MigrationResult stepResult = runStep(i + 1, plan.steps().get(i));
        if (stepResult != null && stepResult.outcome() == Outcome.ROLLED_BACK) {
          return finish(Outcome.ROLLED_BACK, stepResult.message());
        }
        if (stepResult != null) {
          lastMessage = " " + stepResult.message();
        }
      }
      return finish(Outcome.COMPLETED, "All " + plan.steps().size() + " step(s) done." + lastMessage);
    } catch (RuntimeException failure) {
      finished = true;
      board.phase("failed", rootMessage(failure));
      throw failure;
    }
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

  private MigrationResult runStep(int number, PlanStep step) {
    if (step instanceof DirectStep direct) {
      runDirect(number, direct);
      return null;
    }
    if (step instanceof ExpandContractStep dropColumn) {
      return runChild(
          number,
          step,
          Strategy.EXPAND_CONTRACT,
          dropColumn.table().displayName(),
          ExpandContractWorkflow.class,
          child ->
              Async.function(
                  child::run,
                  new ExpandContractRequest(
                      request.migrationId(),
                      dropColumn.table(),
                      dropColumn.column(),
                      request.options())));
    }
    if (step instanceof DualWriteStep dualWrite) {
      return runChild(number, step, Strategy.DUAL_WRITE, tableName(step), DualWriteWorkflow.class,
          child -> Async.function(child::run,
              StepRequests.dualWrite(request.migrationId(), dualWrite, request.options())));
    }
    if (step instanceof ProgressiveDmlStep dataChange) {
      return runProgressive(number, step,
          StepRequests.dataChange(request.migrationId(), dataChange, request.options()));
    }
    if (step instanceof ConcurrentIndexStep index) {
      return runProgressive(number, step,
          StepRequests.index(request.migrationId(), index, request.options()));
    }
    if (step instanceof ConstraintStep constraint) {
      MigrationResult result = runProgressive(number, step,
          StepRequests.constraint(request.migrationId(), constraint, request.options()));
      if (result.outcome() == Outcome.COMPLETED) {
        for (String sql : constraint.afterValidation()) {
          runStatement(number, sql, true);
        }
      }
      return result;
    }
    if (step instanceof BlueGreenStep blueGreen) {
      return runChild(number, step, Strategy.BLUE_GREEN, tableName(step), BlueGreenWorkflow.class,
          child -> Async.function(child::run,
              new BlueGreenRequest(request.migrationId(), blueGreen.table(),
                  blueGreen.greenChanges(), request.options())));
    }
    throw ApplicationFailure.newNonRetryableFailure(
        "This worker cannot run plan steps of kind " + step.getClass().getSimpleName(),
        ZdmFailures.INVALID_MIGRATION);
  }

  private void runDirect(int number, DirectStep step) {
    runStatement(number, step.sql(), step.transactional());
  }

  /**
   * One statement through the DDL runner; one outside a transaction (CONCURRENTLY) may run for
   * hours, so it gets the heartbeating activity options.
   */
  private void runStatement(int number, String sql, boolean transactional) {
    String description = "step " + number + ": " + sql.strip().lines().findFirst().orElse("");
    board.phase("step-" + number, description);
    DdlStatement statement =
        new DdlStatement(
            request.migrationId(),
            description,
            sql,
            transactional,
            request.options().lockTimeout(),
            request.options().statementTimeout());
    DdlActivities runner = transactional ? ddl : longDdl;
    guard.run(() -> runner.runDdl(statement));
    board.stepDone("step-" + number, description);
  }

  private MigrationResult runProgressive(int number, PlanStep step, ProgressiveRequest progressive) {
    return runChild(number, step, Strategy.PROGRESSIVE, tableName(step), ProgressiveWorkflow.class,
        child -> Async.function(child::run, progressive));
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
    ChildWorkflowOptions options =
        ChildWorkflowOptions.newBuilder()
            .setWorkflowId(childId)
            .setStaticSummary(step.describe())
            .setTypedSearchAttributes(
                SearchAttributes.newBuilder()
                    .set(ZdmSearchAttributes.MIGRATION_ID, request.migrationId())
                    .set(ZdmSearchAttributes.TABLE, table)
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
    forwardOrKeep(StrategyWorkflowControls.DEPLOYED, signal);
  }

  @Override
  public void validateApprove(ApprovalRequest approval) {
    String migrationId = request == null ? "this migration" : request.migrationId();
    if (finished || board == null || !WaitingFor.APPROVAL.equals(board.waitingFor())) {
      String state = board == null ? "starting" : describeState();
      throw new IllegalStateException(
          "Nothing in migration " + migrationId + " awaits approval: it is " + state + ".");
    }
  }

  @Override
  public String approve(ApprovalRequest approval) {
    forward(StrategyWorkflowControls.APPROVE, approval);
    return "Approved: " + activeChildId + " goes on.";
  }

  @Override
  public void validateRollback(RollbackRequest rollback) {
    String migrationId = request == null ? "this migration" : request.migrationId();
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
    Throwable cause = failure;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause instanceof ApplicationFailure application
        ? application.getOriginalMessage()
        : cause.getMessage();
  }
}
