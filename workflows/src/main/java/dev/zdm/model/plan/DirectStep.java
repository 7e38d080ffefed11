package dev.zdm.model.plan;

import dev.zdm.model.Strategy;
import dev.zdm.model.TableRef;

/**
 * A statement that is safe as written: it runs through the DDL runner (lock_timeout, retry),
 * never bare.
 *
 * @param line the line of the statement in the migration file
 * @param transactional false for statements PostgreSQL refuses inside a transaction (CONCURRENTLY)
 */
public record DirectStep(int line, String sql, boolean transactional) implements PlanStep {
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
