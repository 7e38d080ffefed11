package dev.zdm.model.plan;

import dev.zdm.model.Strategy;

import dev.zdm.model.TableRef;

/**
 * Build an index with CREATE INDEX CONCURRENTLY (outside a transaction; an INVALID index left by a
 * failed attempt is dropped before the retry), then optionally attach it as a constraint.
 *
 * @param createIndexSql the complete CREATE [UNIQUE] INDEX CONCURRENTLY statement, for display
 * @param definition what follows the table name, e.g. {@code (user_id, created_at)} or {@code
 *     USING gin (doc)}, without the WHERE
 * @param where the predicate of a partial index, or null
 * @param constraintName for UNIQUE / PRIMARY KEY: the constraint added USING INDEX; else null
 * @param constraintType {@code UNIQUE} or {@code PRIMARY KEY}, or null
 */
public record ConcurrentIndexStep(
    TableRef table,
    String indexName,
    String createIndexSql,
    String definition,
    boolean unique,
    String where,
    String constraintName,
    String constraintType,
    int line)
    implements PlanStep {
  @Override
  public Strategy strategy() {
    return Strategy.PROGRESSIVE;
  }

  @Override
  public String describe() {
    return "build index " + indexName + " on " + table.displayName() + " concurrently"
        + (constraintName == null ? "" : " then add " + constraintType + " " + constraintName
            + " using it");
  }
}
