package dev.zdm.model.plan;

/**
 * A statement that is safe as written: it runs through the DDL runner (lock_timeout, retry),
 * never bare.
 *
 * @param line the line of the statement in the migration file
 * @param transactional false for statements PostgreSQL refuses inside a transaction (CONCURRENTLY)
 */
public record DirectStep(int line, String sql, boolean transactional) implements PlanStep {
  @Override
  public String describe() {
    String firstLine = sql.strip().lines().findFirst().orElse("");
    return "run as is (line " + line + "): " + firstLine;
  }
}
