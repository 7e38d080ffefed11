package dev.zdm.workflow;

import dev.zdm.model.MigrationStatus;
import dev.zdm.model.Progress;
import dev.zdm.model.StepRecord;
import dev.zdm.temporal.ZdmSearchAttributes;
import io.temporal.workflow.Workflow;
import dev.zdm.model.WaitingFor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A workflow's visible state: answers the {@code status} query, keeps the ZdmPhase and
 * ZdmWaitingFor search attributes and the Web UI's current details in step, and (in a child)
 * reports every change to the parent so the parent's status is one query away.
 */
public final class StatusBoard {
  /** The parent's signal that receives a child's status. */
  public static final String CHILD_STATUS_SIGNAL = "childStatus";

  private final String migrationId;
  private final String workflowId;
  private String strategy;
  private String table;
  private String phase = "starting";
  private String waitingFor;
  private String message;
  /** Why a throttled backfill waits now (operation model); shown as the message while it lasts. */
  private String throttleReason;
  private boolean rollbackPossible;
  private String activeWorkflowId;
  private final List<StepRecord> steps = new ArrayList<>();
  private List<StepRecord> childSteps = List.of();
  private Progress progress;
  private boolean pausable;
  private final Optional<String> parentWorkflowId;
  private final WorkflowRelease release;
  /** What was last written to the search attributes and sent to the parent (operation model). */
  private List<Object> lastSearchAttributes;
  private List<Object> lastSentToParent;

  public StatusBoard(String migrationId, String strategy, String table) {
    this(migrationId, strategy, table, WorkflowRelease.first());
  }

  /**
   * From {@link WorkflowRelease#OPERATION_MODEL} on, search attributes are written and the parent
   * told only on a real change, and throttle waits (which come and go with every chunk) stay in
   * this workflow's own status: a week of throttled backfill no longer fills the parent's history.
   */
  public StatusBoard(String migrationId, String strategy, String table, WorkflowRelease release) {
    this.release = release;
    this.migrationId = migrationId;
    this.workflowId = Workflow.getInfo().getWorkflowId();
    this.activeWorkflowId = workflowId;
    this.strategy = strategy;
    this.table = table;
    this.parentWorkflowId = Workflow.getInfo().getParentWorkflowId();
  }

  public void phase(String newPhase, String newMessage) {
    phase = newPhase;
    waitingFor = null;
    message = newMessage;
    publish();
  }

  public void waitFor(String what, String newMessage) {
    waitingFor = what;
    if (release.operationModel() && WaitingFor.THROTTLE.equals(what)) {
      // Throttle waits come and go with every chunk: their reason is shown, not kept as the message.
      throttleReason = newMessage;
    } else {
      message = newMessage;
    }
    publish();
  }

  public void stopWaiting() {
    waitingFor = null;
    throttleReason = null;
    publish();
  }

  public void stepDone(String name, String detail) {
    addStep(name, StepRecord.StepState.DONE, detail);
  }

  public void stepFailed(String name, String detail) {
    addStep(name, StepRecord.StepState.FAILED, detail);
  }

  public void stepCompensated(String name, String detail) {
    addStep(name, StepRecord.StepState.COMPENSATED, detail);
  }

  private void addStep(String name, StepRecord.StepState state, String detail) {
    steps.add(new StepRecord(name, state, detail, Workflow.currentTimeMillis()));
    publish();
  }

  /** After continue-as-new: the steps the previous run recorded. */
  public void carrySteps(List<StepRecord> earlier) {
    steps.addAll(0, earlier);
  }

  public void rollbackPossible(boolean possible) {
    rollbackPossible = possible;
  }

  public void strategyAndTable(String newStrategy, String newTable) {
    strategy = newStrategy;
    table = newTable;
    Workflow.upsertTypedSearchAttributes(
        ZdmSearchAttributes.STRATEGY.valueSet(orNothing(newStrategy)),
        ZdmSearchAttributes.TABLE.valueSet(orNothing(newTable)));
  }

  /**
   * Whether batches run now that pause and throttle act on. Published at once from the operation
   * model on (the parent's validators read it); first-release runs only carry it in later updates.
   */
  public void pausable(boolean batchesRunning) {
    pausable = batchesRunning;
    if (release.operationModel()) {
      publish();
    }
  }

  public boolean pausable() {
    return pausable;
  }

  /** Progress is read by queries only; it is not pushed to the parent, to keep histories small. */
  public void progress(Progress newProgress) {
    progress = newProgress;
  }

  /** In the parent: show what the running child reports, keeping the parent's own steps. */
  public void mirrorChild(MigrationStatus child) {
    activeWorkflowId = child.workflowId();
    phase = child.phase();
    waitingFor = child.waitingFor();
    message = child.message();
    rollbackPossible = child.rollbackPossible();
    progress = child.progress();
    pausable = child.pausable();
    childSteps = child.steps();
    publish();
  }

  public void childFinished(List<StepRecord> finalChildSteps) {
    steps.addAll(finalChildSteps);
    childSteps = List.of();
    activeWorkflowId = workflowId;
    progress = null;
    pausable = false;
  }

  public String phase() {
    return phase;
  }

  public String waitingFor() {
    return waitingFor;
  }

  public List<StepRecord> steps() {
    List<StepRecord> all = new ArrayList<>(steps);
    all.addAll(childSteps);
    return all;
  }

  public boolean rollbackPossible() {
    return rollbackPossible;
  }

  public String activeWorkflowId() {
    return activeWorkflowId;
  }

  public MigrationStatus snapshot() {
    return new MigrationStatus(
        migrationId,
        workflowId,
        strategy,
        table,
        phase,
        waitingFor,
        throttleReason != null ? throttleReason : message,
        rollbackPossible,
        activeWorkflowId,
        steps(),
        progress,
        pausable);
  }

  private void publish() {
    if (!release.operationModel()) {
      Workflow.upsertTypedSearchAttributes(
          ZdmSearchAttributes.PHASE.valueSet(phase),
          ZdmSearchAttributes.WAITING_FOR.valueSet(orNothing(waitingFor)));
      Workflow.setCurrentDetails(currentDetails());
      parentWorkflowId.ifPresent(
          parent ->
              Workflow.newUntypedExternalWorkflowStub(parent)
                  .signal(CHILD_STATUS_SIGNAL, snapshot()));
      return;
    }
    Workflow.setCurrentDetails(currentDetails());
    List<Object> searchAttributes = Arrays.asList(phase, waitingFor);
    if (!searchAttributes.equals(lastSearchAttributes)) {
      lastSearchAttributes = searchAttributes;
      Workflow.upsertTypedSearchAttributes(
          ZdmSearchAttributes.PHASE.valueSet(phase),
          ZdmSearchAttributes.WAITING_FOR.valueSet(orNothing(waitingFor)));
    }
    if (parentWorkflowId.isEmpty()) {
      return;
    }
    boolean throttled = WaitingFor.THROTTLE.equals(waitingFor);
    List<Object> forParent = Arrays.asList(
        phase, throttled ? null : waitingFor, message, rollbackPossible, steps.size(), pausable);
    if (!forParent.equals(lastSentToParent)) {
      lastSentToParent = forParent;
      MigrationStatus status = snapshot();
      // Detached: a cancelled workflow still tells its parent what its undo did.
      Workflow.newDetachedCancellationScope(() ->
          Workflow.newUntypedExternalWorkflowStub(parentWorkflowId.get())
              .signal(CHILD_STATUS_SIGNAL, status)).run();
    }
  }

  private String currentDetails() {
    StringBuilder text = new StringBuilder();
    text.append("**Phase:** ").append(phase);
    if (waitingFor != null) {
      text.append("  \n**Waiting for:** ").append(waitingFor);
    }
    String shown = throttleReason != null ? throttleReason : message;
    if (shown != null) {
      text.append("  \n").append(shown);
    }
    return text.toString();
  }

  private static String orNothing(String value) {
    return value == null || value.isBlank() ? ZdmSearchAttributes.NOTHING : value;
  }
}
