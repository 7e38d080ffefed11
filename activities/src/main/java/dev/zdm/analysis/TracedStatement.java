package dev.zdm.analysis;

import java.util.List;
import java.util.Map;

/**
 * What PostgreSQL did when {@code zdm analyze --trace} ran one statement on the scratch database.
 * Tables are {@code schema.name}; only tables that existed before the file ran count (a table the
 * file creates, or drops and creates again, is new and unused).
 *
 * @param locksTaken the strongest lock the statement itself took on each table (pg_locks from a
 *     second session, before the transaction ended); empty when not observed
 * @param locksHeld every table lock the transaction held after the statement (earlier statements
 *     of the same transaction included)
 * @param observed false when the statement ran outside a transaction (CONCURRENTLY, VACUUM), so
 *     its locks could not be read after it
 * @param rewritten tables whose pg_relation_filenode changed
 * @param scanned tables read in full (pg_stat_xact_user_tables.seq_scan went up)
 * @param error PostgreSQL's message when the statement failed, else null
 * @param mainTableExisting the statement's main table (the first zdm names) existed before the
 *     file ran, under that name
 * @param estimate the lock time on the target's real table, from this trace and the target's
 *     statistics (only with a target database), else null
 */
public record TracedStatement(
    int line,
    Map<String, LockMode> locksTaken,
    Map<String, LockMode> locksHeld,
    boolean observed,
    List<String> rewritten,
    List<String> scanned,
    String error,
    boolean mainTableExisting,
    TracedEstimate estimate) {
  public TracedStatement {
    locksTaken = Map.copyOf(locksTaken);
    locksHeld = Map.copyOf(locksHeld);
    rewritten = List.copyOf(rewritten);
    scanned = List.copyOf(scanned);
  }

  /** A trace without an estimate. */
  public TracedStatement(int line, Map<String, LockMode> locksTaken,
      Map<String, LockMode> locksHeld, boolean observed, List<String> rewritten,
      List<String> scanned, String error, boolean mainTableExisting) {
    this(line, locksTaken, locksHeld, observed, rewritten, scanned, error, mainTableExisting,
        null);
  }

  TracedStatement withEstimate(TracedEstimate found) {
    return new TracedStatement(line, locksTaken, locksHeld, observed, rewritten, scanned, error,
        mainTableExisting, found);
  }

  /** The strongest lock the statement took, or NONE. */
  public LockMode strongestTaken() {
    return locksTaken.values().stream().reduce(LockMode.NONE, LockMode::strongest);
  }
}
