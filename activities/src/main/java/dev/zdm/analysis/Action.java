package dev.zdm.analysis;

import dev.zdm.model.TableRef;

/**
 * One thing a statement does: a statement is one action, an ALTER TABLE one per clause.
 *
 * @param table the table acted on, or null for statements on other objects
 * @param column the column acted on, or null
 */
public record Action(ActionKind kind, TableRef table, String column, ActionDetail detail) {
  public Action {
    detail = detail == null ? new ActionDetail.None() : detail;
  }

  public static Action of(ActionKind kind, TableRef table) {
    return new Action(kind, table, null, null);
  }

  public static Action of(ActionKind kind) {
    return new Action(kind, null, null, null);
  }
}
