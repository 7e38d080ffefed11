package dev.zdm.engine.progressive;

import dev.zdm.model.TableRef;
import dev.zdm.postgres.Identifiers;
import dev.zdm.postgres.StatementRunner;
import dev.zdm.postgres.StatementWatch;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds and drops one index concurrently, one build at a time, on the connection of a watched
 * step. A zdm session builds or drops an index only while it holds a session-level advisory lock
 * keyed by the index's qualified name; a build running without it (a worker that died left its
 * backend building, or someone ran it by hand) is found in {@code pg_stat_progress_create_index}
 * or, in its last moments, by its uncommitted update of {@code pg_index}, and waited for. Only an
 * INVALID index that nothing builds is dropped; a VALID one is success.
 *
 * <p>The lock is polled with {@code pg_try_advisory_lock} in autocommit, never awaited with
 * {@code pg_advisory_lock}: a session blocked in that call is a transaction with a snapshot, and
 * CREATE INDEX CONCURRENTLY waits for every such transaction to end, so the holder's build would
 * wait for its waiter forever. The holder is idle between its statements and holds no snapshot,
 * so the lock does not make a build wait (IndexBuildsTest: the holder's build, held behind an old
 * transaction, finishes once that ends while a second step polls for the lock).
 */
public final class IndexBuilds {
  /** How often a step waiting for another build looks again. */
  static final Duration POLL = Duration.ofSeconds(1);
  /** DROP/CREATE statements one step may issue before it gives up on an index that keeps changing. */
  static final int MAX_STATEMENTS = 6;
  static final String DUPLICATE_TABLE = "42P07";

  /** First key of the advisory lock; the second is the hash of the index's quoted qualified name. */
  private static final String LOCK_CLASS = "hashtext('zdm index build')";
  private static final String TRY_LOCK = "SELECT pg_try_advisory_lock(" + LOCK_CLASS + ", hashtext(?))";
  private static final String UNLOCK = "SELECT pg_advisory_unlock(" + LOCK_CLASS + ", hashtext(?))";
  private static final String LOCK_HOLDER =
      """
      SELECT pid FROM pg_locks
       WHERE locktype = 'advisory' AND granted AND objsubid = 2
         AND classid = %s::oid AND objid = hashtext(?)::oid
      """.formatted(LOCK_CLASS);
  private static final String INDEX =
      "SELECT indexrelid::bigint, indisvalid FROM pg_index WHERE indexrelid = to_regclass(?)";
  /**
   * A backend building the index: its progress row, or, once that row is gone, the backend whose
   * transaction is still updating the index's pg_index row. CREATE/REINDEX CONCURRENTLY ends its
   * progress row and releases its table lock before the transaction that marks the index valid
   * commits; in that window the old pg_index row, still INVALID to everyone else, carries the
   * builder's xid as xmax (IndexBuildsTest holds a build in that window to show it).
   */
  private static final String BUILDER =
      """
      SELECT coalesce(
        (SELECT p.pid FROM pg_stat_progress_create_index p
          WHERE p.index_relid = ?::oid AND p.pid <> pg_backend_pid()
          LIMIT 1),
        (SELECT a.pid FROM pg_index i
           JOIN pg_stat_activity a ON a.backend_xid = i.xmax
          WHERE i.indexrelid = ?::oid AND a.pid <> pg_backend_pid()
          LIMIT 1))
      """;

  private static final Logger log = LoggerFactory.getLogger(IndexBuilds.class);

  private final String migrationId;
  private final TableRef index;
  private final String key;

  public IndexBuilds(String migrationId, TableRef index) {
    this.migrationId = migrationId;
    this.index = index;
    this.key = Identifiers.quote(index);
  }

  /** The index as the catalog has it. */
  private record Index(long oid, boolean valid) {}

  /** Ends with the index VALID: built here, found built, or built by a build this step waited for. */
  public void build(Connection connection, StatementWatch watch, String createSql) throws SQLException {
    underLock(connection, watch, () -> buildHoldingLock(connection, watch, createSql));
  }

  /** Work on this index that no zdm build or drop of it may overlap (a direct step's statement). */
  public interface LockedWork {
    void run() throws SQLException;
  }

  /** Runs {@code work} holding this index's build lock, polled for as {@link #build} does. */
  public void underLock(Connection connection, StatementWatch watch, LockedWork work) throws SQLException {
    awaitLock(connection, watch);
    try {
      work.run();
    } finally {
      unlock(connection, watch);
    }
  }

  /** Whether an index of this name exists, valid or not. */
  public boolean exists(Connection connection) throws SQLException {
    return index(connection).isPresent();
  }

  /** {@link #build}'s work, for a caller that holds the lock ({@link #underLock}). */
  public void buildHoldingLock(Connection connection, StatementWatch watch, String createSql)
      throws SQLException {
    int statements = 0;
    while (true) {
      Optional<Index> found = index(connection);
      if (found.isPresent() && found.get().valid()) {
        watch.followOwn();
        return;
      }
      if (found.isPresent()) {
        Integer builder = builder(connection, found.get().oid());
        if (builder != null) {
          watch.follow(builder, "waiting for the build of " + index + " running in backend " + builder);
          watch.sleep(POLL);
          continue;
        }
        // Read again after finding no builder: a build that ended just now has committed by then.
        if (!found.equals(index(connection))) {
          continue;
        }
      }
      watch.followOwn();
      if (++statements > MAX_STATEMENTS) {
        throw ApplicationFailure.newFailure("[" + migrationId + "] index " + index
            + " keeps changing while zdm builds it (" + MAX_STATEMENTS + " DROP/CREATE statements);"
            + " retrying", "IndexChanging");
      }
      if (found.isPresent()) {
        log.info("[{}] index {} is INVALID and no build of it runs (a failed build left it);"
            + " dropping it before building again", migrationId, index);
        execute(connection, dropSql());
        continue;
      }
      try {
        execute(connection, createSql);
      } catch (SQLException e) {
        // A build zdm did not start may have begun since the look: this CREATE then waits for
        // its table lock and finds the name taken. Look again rather than fail.
        if (!DUPLICATE_TABLE.equals(e.getSQLState()) || statements == MAX_STATEMENTS) {
          throw e;
        }
      }
    }
  }

  /** DROP INDEX CONCURRENTLY IF EXISTS, never while a zdm build of the index holds the lock. */
  void drop(Connection connection, StatementWatch watch) throws SQLException {
    underLock(connection, watch, () -> execute(connection, dropSql()));
  }

  private String dropSql() {
    return "DROP INDEX CONCURRENTLY IF EXISTS " + key;
  }

  private void awaitLock(Connection connection, StatementWatch watch) throws SQLException {
    while (!queryBoolean(connection, TRY_LOCK)) {
      Integer holder = lockHolder(connection);
      if (holder != null) {
        watch.follow(holder, "waiting for the zdm build of " + index + " in backend " + holder);
      }
      watch.sleep(POLL);
    }
    watch.followOwn();
  }

  /**
   * Releases the lock. Should this statement be hit by the watch's cancel of the build (the
   * cancellation is re-sent each heartbeat), it is tried again; a connection that cannot release
   * its lock is aborted, which ends the session and the lock with it.
   */
  private void unlock(Connection connection, StatementWatch watch) {
    SQLException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        queryBoolean(connection, UNLOCK);
        return;
      } catch (SQLException e) {
        last = e;
      }
    }
    log.warn("[{}] cannot release the build lock of {} on backend {} ({}); closing that session",
        migrationId, index, watch.pid(), last.getMessage());
    try {
      connection.abort(Runnable::run);
    } catch (SQLException e) {
      log.warn("[{}] cannot abort backend {}: {}", migrationId, watch.pid(), e.getMessage());
    }
  }

  private Optional<Index> index(Connection connection) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(INDEX)) {
      statement.setString(1, key);
      try (ResultSet row = statement.executeQuery()) {
        return row.next() ? Optional.of(new Index(row.getLong(1), row.getBoolean(2))) : Optional.empty();
      }
    }
  }

  private static Integer builder(Connection connection, long indexOid) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(BUILDER)) {
      statement.setLong(1, indexOid);
      statement.setLong(2, indexOid);
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        int pid = row.getInt(1);
        return row.wasNull() ? null : pid;
      }
    }
  }

  private Integer lockHolder(Connection connection) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(LOCK_HOLDER)) {
      statement.setString(1, key);
      try (ResultSet row = statement.executeQuery()) {
        return row.next() ? row.getInt(1) : null;
      }
    }
  }

  private boolean queryBoolean(Connection connection, String sql) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, key);
      try (ResultSet row = statement.executeQuery()) {
        return row.next() && row.getBoolean(1);
      }
    }
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    StatementRunner.executeAll(connection, sql);
  }
}
