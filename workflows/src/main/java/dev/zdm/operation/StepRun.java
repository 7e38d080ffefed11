package dev.zdm.operation;

import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Strategy;
import dev.zdm.workflow.WorkflowRelease;
import io.temporal.workflow.Promise;
import java.util.function.Function;

/** What the parent workflow offers the operation of the step it runs now. */
public interface StepRun {

  String migrationId();

  /** The step's number in the plan, from 1. */
  int number();

  MigrationOptions options();

  /**
   * The key of this step's rows in {@code _migration_progress}, unique in the file, made from the
   * strategy's own key; null in runs of the first release (which shared one key per strategy).
   */
  String progressKey(String strategyKey);

  /** Runs the step's strategy workflow as a child and waits for its result. */
  <W> MigrationResult runChild(
      Strategy strategy, Class<W> workflowInterface, Function<W, Promise<MigrationResult>> start);

  /** The release this run of the parent follows (activity options differ by release). */
  WorkflowRelease release();

  /** Runs one statement of the step through the DDL runner (breaker, lock_timeout, retry). */
  void runStatement(String sql, boolean transactional);

  /** Runs an undo statement through the DDL runner; the undo list shows its progress. */
  void runUndoStatement(String sql, boolean transactional);
}
