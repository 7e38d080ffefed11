package dev.zdm.engine.expandcontract;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.expandcontract.ExpandContractRequest;
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
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The archive of a dropped column: a table keyed like the source holding the column's values, so
 * the data stays restorable after the drop. Filled in primary-key batches (each its own short
 * transaction, only ACCESS SHARE on the source), then caught up with rows changed meanwhile.
 */
final class ColumnArchive {
  private final ExpandContractRequest request;
  private final TableRef source;
  private final TableRef archive;
  private final KeysetCursor cursor;
  private final String columnType;

  private ColumnArchive(
      ExpandContractRequest request, List<KeyColumn> key, String columnType) {
    this.request = request;
    this.source = request.table();
    this.archive = archiveTableOf(request);
    this.cursor = new KeysetCursor(key);
    this.columnType = columnType;
  }

  /** Reads the source's key and column type; null when the column is already gone. */
  static ColumnArchive describe(Connection connection, ExpandContractRequest request)
      throws SQLException {
    Catalog catalog = new Catalog(connection);
    String type = catalog.columnType(request.table(), request.column()).orElse(null);
    List<KeyColumn> key = catalog.primaryKey(request.table());
    if (type == null || key.isEmpty()) {
      return null;
    }
    return new ColumnArchive(request, key, type);
  }

  static TableRef archiveTableOf(ExpandContractRequest request) {
    return ArchiveNames.legacyArchiveTable(request.table(), request.column());
  }

  TableRef table() {
    return archive;
  }

  /**
   * The comment that marks an archive as this migration's: generated names can collide (table
   * {@code a} column {@code b_c} and table {@code a_b} column {@code c} share one), and an archive
   * is the only copy of a dropped column's values, so no migration writes into or drops another's.
   */
  static String ownerMark(ExpandContractRequest request) {
    return "zdm migration " + request.migrationId() + ":";
  }

  /** The archive table's comment, or empty when there is no such table. */
  static Optional<String> existingComment(Connection connection, TableRef archive) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("""
        SELECT coalesce(obj_description(c.oid, 'pg_class'), '')
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ? AND c.relname = ?
        """)) {
      statement.setString(1, archive.schema());
      statement.setString(2, archive.name());
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
      }
    }
  }

  /** Refuses (non-retryable) when the archive's name is taken by another migration's archive. */
  void refuseAnotherMigrationsArchive(Connection connection) throws SQLException {
    Optional<String> comment = existingComment(connection, archive);
    if (comment.isPresent() && !comment.get().startsWith(ownerMark(request))) {
      throw ApplicationFailure.newNonRetryableFailure(
          "[" + request.migrationId() + "] the archive table " + archive.displayName()
              + " already exists and is not this migration's (" + comment.get() + "): it may be"
              + " the only copy of another dropped column, so zdm will not write into it. Rename"
              + " or move that table, then start the migration again.",
          ZdmFailures.INVALID_MIGRATION);
    }
  }

  void create(Connection connection) throws SQLException {
    refuseAnotherMigrationsArchive(connection);
    StringBuilder columns = new StringBuilder();
    for (KeyColumn key : cursor.key()) {
      columns.append(Identifiers.quote(key.name())).append(' ').append(key.type()).append(", ");
    }
    String sql =
        """
        CREATE TABLE IF NOT EXISTS %s (
          %s%s %s,
          %s timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (%s)
        )
        """
            .formatted(
                Identifiers.quote(archive),
                columns,
                column(),
                columnType,
                archivedAt(),
                cursor.columns(null));
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
      statement.execute(
          "COMMENT ON TABLE "
              + Identifiers.quote(archive)
              + " IS "
              + Identifiers.literal(
                  ownerMark(request) + " values of "
                      + source.displayName() + "." + request.column() + " before it was dropped"));
    }
  }

  /** One batch after {@code lastKey} (null: from the start); empty when the table is done. */
  Batch copyBatch(Connection connection, List<String> lastKey, int batchSize) throws SQLException {
    String where = lastKey == null ? "true" : cursor.after(null);
    String sql =
        """
        WITH batch AS (
          SELECT %1$s, %2$s FROM %3$s WHERE %4$s ORDER BY %1$s LIMIT ?
        ), archived AS (
          INSERT INTO %5$s (%1$s, %2$s)
          SELECT %1$s, %2$s FROM batch
          ON CONFLICT (%1$s) DO UPDATE SET %2$s = EXCLUDED.%2$s, %8$s = now()
          RETURNING 1
        )
        SELECT (SELECT count(*) FROM archived),
               (SELECT %6$s FROM batch ORDER BY %7$s LIMIT 1)
        """
            .formatted(
                cursor.columns(null),
                column(),
                Identifiers.quote(source),
                where,
                Identifiers.quote(archive),
                cursor.keyAsText(null),
                cursor.orderByDescending(null),
                archivedAt());
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      int next = lastKey == null ? 1 : cursor.bindAfter(statement, 1, lastKey);
      statement.setInt(next, batchSize);
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        long rows = row.getLong(1);
        Array key = row.getArray(2);
        return new Batch(rows, key == null ? null : Arrays.asList((String[]) key.getArray()));
      }
    }
  }

  /** A batch's outcome: rows archived and the last key, null when there was nothing left. */
  record Batch(long rows, List<String> lastKey) {}

  /** Archives rows whose value changed or appeared since they were copied; returns how many. */
  long catchUp(Connection connection) throws SQLException {
    String sql =
        """
        INSERT INTO %1$s (%2$s, %3$s)
        SELECT %4$s, s.%3$s FROM %5$s s LEFT JOIN %1$s a ON %6$s
         WHERE %7$s
        ON CONFLICT (%2$s) DO UPDATE SET %3$s = EXCLUDED.%3$s, %8$s = now()
        """
            .formatted(
                Identifiers.quote(archive),
                cursor.columns(null),
                column(),
                cursor.columns("s"),
                Identifiers.quote(source),
                cursor.joinOn("a", "s"),
                differs(),
                archivedAt());
    try (Statement statement = connection.createStatement()) {
      return statement.executeUpdate(sql);
    }
  }

  /** Keys (as text) of up to {@code limit} rows whose archived value differs from the table. */
  List<String> mismatches(Connection connection, int limit) throws SQLException {
    String sql =
        """
        SELECT array_to_string(%1$s, ',') FROM %2$s s LEFT JOIN %3$s a ON %4$s
         WHERE %5$s
         LIMIT %6$d
        """
            .formatted(
                cursor.keyAsText("s"),
                Identifiers.quote(source),
                Identifiers.quote(archive),
                cursor.joinOn("a", "s"),
                differs(),
                limit);
    List<String> keys = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      while (rows.next()) {
        keys.add(rows.getString(1));
      }
    }
    return keys;
  }

  /** A row needs archiving when it has a value not archived, or a value that changed since. */
  private String differs() {
    String firstKey = Identifiers.quote(cursor.key().get(0).name());
    return "(a.%1$s IS NULL AND s.%2$s IS NOT NULL) OR (a.%1$s IS NOT NULL AND a.%2$s IS DISTINCT FROM s.%2$s)"
        .formatted(firstKey, column());
  }

  long count(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT count(*) FROM " + Identifiers.quote(archive))) {
      row.next();
      return row.getLong(1);
    }
  }

  private String column() {
    return Identifiers.quote(request.column());
  }

  /**
   * The archive's timestamp column: {@code archived_at} as before, unless the archived column or
   * a key column has that name (then the archive could not be created at all).
   */
  private String archivedAt() {
    Set<String> taken = new HashSet<>();
    cursor.key().forEach(key -> taken.add(key.name()));
    taken.add(request.column());
    return Identifiers.quote(ArchiveNames.archivedAtColumn(taken));
  }
}
