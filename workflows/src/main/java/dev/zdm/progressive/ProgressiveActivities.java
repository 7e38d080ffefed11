package dev.zdm.progressive;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Progressive's schema steps (its batched row changes run on the backfill engine). */
@ActivityInterface
public interface ProgressiveActivities {

  /**
   * CREATE [UNIQUE] INDEX CONCURRENTLY, outside a transaction. A valid index of that name is
   * kept; an INVALID one (left by a failed build) is dropped concurrently first.
   *
   * @param where null for the request's own predicate
   */
  @ActivityMethod(name = "BuildIndexConcurrently")
  void buildIndex(ProgressiveRequest request, String indexName, String where);

  @ActivityMethod(name = "IndexBuildProgress")
  IndexProgress indexProgress(ProgressiveRequest request);

  /** DROP INDEX CONCURRENTLY IF EXISTS. */
  @ActivityMethod(name = "DropIndexConcurrently")
  void dropIndex(ProgressiveRequest request, String indexName);

  /** Sessions waiting for a lock on the table right now. */
  @ActivityMethod(name = "CountLockWaiters")
  int lockWaiters(ProgressiveRequest request);

  /** ADD CONSTRAINT ... UNIQUE / PRIMARY KEY USING INDEX: a brief lock, no scan. */
  @ActivityMethod(name = "AttachIndexConstraint")
  void attachConstraint(ProgressiveRequest request);

  /** ADD CONSTRAINT ... NOT VALID: a brief lock, no scan; new rows are checked from now on. */
  @ActivityMethod(name = "AddConstraintNotValid")
  void addConstraintNotValid(ProgressiveRequest request);

  /** VALIDATE CONSTRAINT: the scan, under a lock that lets reads and writes go on. */
  @ActivityMethod(name = "ValidateConstraint")
  void validateConstraint(ProgressiveRequest request);

  /** Undo of the constraint steps. */
  @ActivityMethod(name = "DropConstraint")
  void dropConstraint(ProgressiveRequest request);
}
