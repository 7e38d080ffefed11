package dev.zdm.model.plan;

import dev.zdm.model.Strategy;

import dev.zdm.model.TableRef;

/**
 * A large UPDATE or DELETE run in primary-key batches, each its own short transaction, with the
 * guide's progressive options.
 *
 * @param setClause the text after SET for an UPDATE; null for a DELETE
 * @param whereClause the statement's own WHERE (null for all rows); batches add the key range
 * @param pending the rows that still need the change: the WHERE plus "not yet applied", so a
 *     redone batch changes nothing twice and verification can prove every row done
 * @param rolloutPercentage how much of the key range to do before pausing for review (1-100)
 */
public record ProgressiveDmlStep(
    TableRef table,
    Operation operation,
    String setClause,
    String whereClause,
    String pending,
    int batchSize,
    long delayMs,
    long maxDurationMs,
    int rolloutPercentage,
    int line)
    implements PlanStep {

  public static final int DEFAULT_BATCH_SIZE = 10_000;
  public static final long DEFAULT_DELAY_MS = 100;
  public static final long DEFAULT_MAX_DURATION_MS = 3_600_000;

  /** The data change batched. */
  public enum Operation {
    UPDATE,
    DELETE
  }

  @Override
  public Strategy strategy() {
    return Strategy.PROGRESSIVE;
  }

  @Override
  public String describe() {
    return operation.name().toLowerCase() + " " + table.displayName() + " in batches of "
        + batchSize + " (progressive)";
  }
}
