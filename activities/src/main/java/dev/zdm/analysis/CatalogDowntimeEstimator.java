package dev.zdm.analysis;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.model.TableRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Estimates lock time from the target database: each table's size and row estimate from the
 * catalog, divided by rates measured once on this database (scan, rewrite, index build of a
 * temporary sample table). An estimate, stated with its basis: caches, I/O and concurrent load
 * differ between the sample and the real table.
 */
public final class CatalogDowntimeEstimator implements DowntimeEstimator {
  /** A lock held shorter than this is not worth a multi-phase strategy. */
  public static final long ACCEPTABLE_LOCK_MILLIS = 500;
  private static final int SAMPLE_ROWS = 200_000;

  private static final String TABLE_SIZE = """
      SELECT greatest(c.reltuples, 0)::bigint AS row_estimate,
             pg_relation_size(c.oid) AS heap_bytes,
             pg_total_relation_size(c.oid) AS total_bytes
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = ? AND c.relname = ?
      """;
  private static final String CREATE_SAMPLE = """
      CREATE TEMPORARY TABLE zdm_calibration_sample AS
      SELECT g AS id, md5(g::text) AS payload FROM generate_series(1, %d) AS g
      """;
  private static final String SAMPLE_BYTES =
      "SELECT pg_relation_size('pg_temp.zdm_calibration_sample')";
  private static final String SCAN_SAMPLE = "SELECT count(*) FROM pg_temp.zdm_calibration_sample WHERE payload IS NULL";
  private static final String REWRITE_SAMPLE =
      "ALTER TABLE pg_temp.zdm_calibration_sample ALTER COLUMN id TYPE bigint";
  private static final String INDEX_SAMPLE =
      "CREATE INDEX ON pg_temp.zdm_calibration_sample (payload)";
  private static final String DROP_SAMPLE = "DROP TABLE IF EXISTS pg_temp.zdm_calibration_sample";

  private record TableSize(long rows, long heapBytes, long totalBytes) {}

  private record Rates(double scanBytesPerMs, double rewriteBytesPerMs, double indexBytesPerMs) {}

  private final Connection connection;
  private final Map<TableRef, Optional<TableSize>> sizes = new HashMap<>();
  private Rates rates;

  public CatalogDowntimeEstimator(Connection connection) {
    this.connection = connection;
  }

  @Override
  public long acceptableLockMillis() {
    return ACCEPTABLE_LOCK_MILLIS;
  }

  @Override
  public Optional<DowntimeEstimate> estimate(Action action, LockFacts facts) {
    ActionKind kind = action.kind();
    boolean dml = kind == ActionKind.UPDATE || kind == ActionKind.DELETE;
    if (action.table() == null || !(facts.holdsLockForTableSize() || dml)
        || kind == ActionKind.TRUNCATE) {
      return Optional.empty();
    }
    Optional<TableSize> found = sizes.computeIfAbsent(action.table(), this::readSize);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    TableSize size = found.get();
    Rates measured = rates();
    double millis;
    String rateName;
    if (facts.rewrite() || dml) {
      millis = size.totalBytes() / measured.rewriteBytesPerMs();
      rateName = "rewrite " + mbPerSecond(measured.rewriteBytesPerMs());
    } else if (kind == ActionKind.CREATE_INDEX || kind == ActionKind.REINDEX
        || kind == ActionKind.ADD_CONSTRAINT && isIndexBuild(action)) {
      millis = size.heapBytes() / measured.indexBytesPerMs();
      rateName = "index build " + mbPerSecond(measured.indexBytesPerMs());
    } else {
      millis = size.heapBytes() / measured.scanBytesPerMs();
      rateName = "scan " + mbPerSecond(measured.scanBytesPerMs());
    }
    String basis = action.table().displayName() + ": " + size.totalBytes() / 1024 + " kB, ~"
        + size.rows() + " rows (pg_class); " + rateName + " measured on this database with a "
        + SAMPLE_ROWS + "-row sample";
    return Optional.of(new DowntimeEstimate(Math.round(millis), basis));
  }

  private static boolean isIndexBuild(Action action) {
    return action.detail() instanceof ConstraintDefinition c
        && (c.type() == ConstraintDefinition.Type.UNIQUE
            || c.type() == ConstraintDefinition.Type.PRIMARY_KEY);
  }

  private static String mbPerSecond(double bytesPerMs) {
    return String.format("%.0f MB/s", bytesPerMs * 1000 / 1_000_000);
  }

  private Optional<TableSize> readSize(TableRef table) {
    try (PreparedStatement statement = connection.prepareStatement(TABLE_SIZE)) {
      statement.setString(1, table.schema());
      statement.setString(2, table.name());
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        return Optional.of(new TableSize(rows.getLong(1), rows.getLong(2), rows.getLong(3)));
      }
    } catch (SQLException e) {
      throw failure("reading the size of " + table.displayName(), e);
    }
  }

  private Rates rates() {
    if (rates != null) {
      return rates;
    }
    try (Statement statement = connection.createStatement()) {
      statement.execute(DROP_SAMPLE);
      statement.execute(CREATE_SAMPLE.formatted(SAMPLE_ROWS));
      long bytes;
      try (ResultSet size = statement.executeQuery(SAMPLE_BYTES)) {
        size.next();
        bytes = size.getLong(1);
      }
      double scan = bytes / timed(statement, SCAN_SAMPLE);
      double rewrite = bytes / timed(statement, REWRITE_SAMPLE);
      double index = bytes / timed(statement, INDEX_SAMPLE);
      statement.execute(DROP_SAMPLE);
      rates = new Rates(scan, rewrite, index);
      return rates;
    } catch (SQLException e) {
      throw failure("measuring scan and rewrite rates on a temporary sample", e);
    }
  }

  /** Milliseconds (at least 1) one statement takes. */
  private static double timed(Statement statement, String sql) throws SQLException {
    long start = System.nanoTime();
    statement.execute(sql);
    return Math.max(1.0, (System.nanoTime() - start) / 1_000_000.0);
  }

  private static ZdmException failure(String what, SQLException e) {
    return new ZdmException(ErrorCode.UNREACHABLE, "zdm analyze: " + what + " failed ("
        + e.getSQLState() + ": " + e.getMessage() + ")", null, e);
  }
}
