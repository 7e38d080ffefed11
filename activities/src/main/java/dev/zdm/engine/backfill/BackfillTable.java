package dev.zdm.engine.backfill;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.backfill.BackfillRequest;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.Catalog;
import dev.zdm.postgres.Identifiers;
import dev.zdm.postgres.KeyColumn;
import dev.zdm.postgres.KeysetCursor;
import io.temporal.failure.ApplicationFailure;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The SQL of one batched pass over a table: key ranges found by keyset pagination on the primary
 * key (composite keys too), the change applied to one range, and the verification read. Every
 * statement works on one key range so each batch is its own short transaction.
 */
final class BackfillTable {
  private static final String KEY_ALIAS = "_zdm_key";
  private static final String BAD_ALIAS = "_zdm_bad";

  private final BackfillRequest request;
  private final KeysetCursor cursor;
  private final RowChange change;

  private BackfillTable(BackfillRequest request, KeysetCursor cursor, RowChange change) {
    this.request = request;
    this.cursor = cursor;
    this.change = change;
  }

  /** Reads the table's primary key; refuses a table that has none or does not exist. */
  static BackfillTable describe(Connection connection, BackfillRequest request) throws SQLException {
    Catalog catalog = new Catalog(connection);
    if (!catalog.tableExists(request.table())) {
      throw refusal(request, "table " + request.table() + " does not exist");
    }
    List<KeyColumn> key = catalog.primaryKey(request.table());
    if (key.isEmpty()) {
      throw refusal(
          request,
          "table " + request.table() + " has no primary key, so zdm cannot walk it in batches"
              + " that resume after a crash. Add a primary key first (CREATE UNIQUE INDEX"
              + " CONCURRENTLY + ADD CONSTRAINT ... PRIMARY KEY USING INDEX).");
    }
    KeysetCursor cursor = new KeysetCursor(key);
    return new BackfillTable(request, cursor, RowChange.of(connection, request, cursor));
  }

  private static ApplicationFailure refusal(BackfillRequest request, String message) {
    return ApplicationFailure.newNonRetryableFailure(
        "[" + request.migrationId() + "] " + message, ZdmFailures.INVALID_MIGRATION);
  }

  /** The table's row count: the planner's estimate when big, else counted. */
  long rowsTotal(Connection connection) throws SQLException {
    long estimate = new Catalog(connection).estimatedRows(request.table());
    if (estimate >= BackfillEngine.COUNT_ROWS_BELOW) {
      return estimate;
    }
    try (PreparedStatement statement =
            connection.prepareStatement("SELECT count(*) FROM " + table());
        ResultSet row = statement.executeQuery()) {
      row.next();
      return row.getLong(1);
    }
  }

  /** The key of the row at {@code offset} in key order: where a rollout percentage ends. */
  List<String> keyAt(Connection connection, long offset) throws SQLException {
    String sql =
        "SELECT %s FROM %s ORDER BY %s OFFSET ? LIMIT 1"
            .formatted(cursor.keyAsText(null), table(), cursor.orderBy(null));
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setLong(1, offset);
      try (ResultSet row = statement.executeQuery()) {
        return row.next() ? keyOf(row.getArray(1)) : null;
      }
    }
  }

  /** The table's greatest key now, or null when it is empty. */
  List<String> lastKey(Connection connection) throws SQLException {
    String sql =
        "SELECT %s FROM %s ORDER BY %s LIMIT 1"
            .formatted(cursor.keyAsText(null), table(), cursor.orderByDescending(null));
    try (PreparedStatement statement = connection.prepareStatement(sql);
        ResultSet row = statement.executeQuery()) {
      return row.next() ? keyOf(row.getArray(1)) : null;
    }
  }

  /**
   * Whether rows after {@code key} (null: anywhere) are outstanding; always false for a change
   * that does not follow rows written after the pass began.
   */
  boolean pendingAfter(Connection connection, List<String> key) throws SQLException {
    if (!change.followsNewRows()) {
      return false;
    }
    String sql =
        "SELECT EXISTS (SELECT 1 FROM %s WHERE %s AND (%s))"
            .formatted(table(), key == null ? "true" : cursor.after(null), change.outstanding());
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      if (key != null) {
        cursor.bindAfter(statement, 1, key);
      }
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        return row.getBoolean(1);
      }
    }
  }

  /** A key range: the rows after {@code after} up to {@code last} inclusive. */
  record Range(long rows, List<String> last) {}

  /**
   * The next range of up to {@code size} rows after {@code after} (null: from the start), not
   * past {@code stop} (null: no stop). An index-only walk of the primary key.
   */
  Range nextRange(Connection connection, List<String> after, List<String> stop, int size)
      throws SQLException {
    String sql =
        """
        WITH range AS (
          SELECT %1$s FROM %2$s WHERE %3$s AND %4$s ORDER BY %1$s LIMIT ?
        )
        SELECT (SELECT count(*) FROM range),
               (SELECT %5$s FROM range ORDER BY %6$s LIMIT 1)
        """
            .formatted(
                cursor.columns(null),
                table(),
                after == null ? "true" : cursor.after(null),
                stop == null ? "true" : notAfter(),
                cursor.keyAsText(null),
                cursor.orderByDescending(null));
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      int next = after == null ? 1 : cursor.bindAfter(statement, 1, after);
      next = stop == null ? next : cursor.bindAfter(statement, next, stop);
      statement.setInt(next, size);
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        return new Range(row.getLong(1), keyOf(row.getArray(2)));
      }
    }
  }

  /** Applies the change to the rows of one range that still need it; returns how many changed. */
  long apply(Connection connection, List<String> after, List<String> last) throws SQLException {
    return change.apply(connection, cursor, after, last);
  }

  /** Ends a pass that walked every range; {@code after} is its last key (null: none). */
  void finish(Connection connection, List<String> after) throws SQLException {
    change.finish(connection, cursor, after);
  }

  /** One verification batch: rows checked, rows that still need the change, and their keys. */
  record Check(long rows, long bad, List<String> badKeys, List<String> last) {}

  Check check(Connection connection, List<String> after, int size, int sample) throws SQLException {
    String sql =
        """
        WITH range AS (
          SELECT %1$s, %2$s AS %3$s, (%4$s) IS TRUE AS %5$s
            FROM %6$s WHERE %7$s ORDER BY %1$s LIMIT ?
        )
        SELECT (SELECT count(*) FROM range),
               (SELECT count(*) FROM range WHERE %5$s),
               (SELECT array_agg(array_to_string(%3$s, ',')) FROM
                  (SELECT %3$s FROM range WHERE %5$s LIMIT ?) bad),
               (SELECT %3$s FROM range ORDER BY %8$s LIMIT 1)
        """
            .formatted(
                cursor.columns(null),
                cursor.keyAsText(null),
                KEY_ALIAS,
                change.outstanding(),
                BAD_ALIAS,
                table(),
                after == null ? "true" : cursor.after(null),
                cursor.orderByDescending(null));
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      int next = after == null ? 1 : cursor.bindAfter(statement, 1, after);
      statement.setInt(next++, size);
      statement.setInt(next, sample);
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        List<String> badKeys = keyOf(row.getArray(3));
        return new Check(
            row.getLong(1),
            row.getLong(2),
            badKeys == null ? List.of() : badKeys,
            keyOf(row.getArray(4)));
      }
    }
  }

  private String notAfter() {
    return cursor.atOrBefore(null);
  }

  private String table() {
    return Identifiers.quote(request.table());
  }

  TableRef ref() {
    return request.table();
  }

  private static List<String> keyOf(Array array) throws SQLException {
    return array == null ? null : new ArrayList<>(Arrays.asList((String[]) array.getArray()));
  }
}
