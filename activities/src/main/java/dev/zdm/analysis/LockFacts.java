package dev.zdm.analysis;

import java.util.List;

/**
 * What one action does to the tables it touches, as PostgreSQL 12-17 behaves (checked against the
 * server by LockFactsTest).
 *
 * @param locks the lock taken on each table touched (the main table first)
 * @param rewrite the table is copied into a new file (pg_relation_filenode changes)
 * @param scanUnderLock the table is read in full while the lock is held (validation, index build)
 * @param transactional false when PostgreSQL refuses to run it inside a transaction block
 */
public record LockFacts(
    List<TableLock> locks, boolean rewrite, boolean scanUnderLock, boolean transactional) {
  public LockFacts {
    locks = List.copyOf(locks);
  }

  /** The strongest mode over all tables touched. */
  public LockMode strongestMode() {
    return locks.stream().map(TableLock::mode).reduce(LockMode.NONE, LockMode::strongest);
  }

  /** The mode on the action's main table, or NONE. */
  public LockMode mainMode() {
    return locks.isEmpty() ? LockMode.NONE : locks.get(0).mode();
  }

  /** True when the lock is held for time that grows with the table (rewrite, scan, index build). */
  public boolean holdsLockForTableSize() {
    return rewrite || scanUnderLock;
  }
}
