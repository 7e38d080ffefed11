package dev.zdm.operation;

import io.temporal.workflow.Functions;

/** What a rollback of the whole file does with a step that has completed. */
public sealed interface CompletedUndo {

  /**
   * Removes what the step made; idempotent (it may run after the step undid itself, or after a
   * step whose call failed though its statement ran), so it is registered before the step runs.
   */
  record Undo(String what, Functions.Proc action) implements CompletedUndo {}

  /** The step cannot be undone once done; {@code because} says what stays and why. */
  record Irreversible(String because) implements CompletedUndo {}
}
