package dev.zdm.model.plan;

import dev.zdm.model.Strategy;
import dev.zdm.model.TableRef;

/**
 * A statement that is safe as written: it runs through the DDL runner (lock_timeout, retry),
 * never bare.
 *
 * @param line the line of the statement in the migration file
 * @param transactional false for statements PostgreSQL refuses inside a transaction (CONCURRENTLY)
 * @param undo how a rollback of the whole file undoes this statement; null when it cannot be
 *     undone (the plan says so, and a rollback after it reports it as left in place). Histories
 *     recorded before this field existed carry no undo: their direct steps count as irreversible.
 */
public record DirectStep(int line, String sql, boolean transactional, Undo undo)
    implements PlanStep {

  /** The inverse statement of a direct step, run through the same DDL runner. */
  public record Undo(String sql, boolean transactional) {}

  /** A direct step with no known inverse. */
  public DirectStep(int line, String sql, boolean transactional) {
    this(line, sql, transactional, null);
  }

  public boolean reversible() {
    return undo != null;
  }

  /** Direct steps run in the parent, through the DDL runner; no strategy workflow. */
  @Override
  public Strategy strategy() {
    return null;
  }

  @Override
  public TableRef table() {
    return null;
  }

  @Override
  public String describe() {
    String firstLine = sql.strip().lines().findFirst().orElse("");
    return "run as is (line " + line + "): " + firstLine;
  }
}
