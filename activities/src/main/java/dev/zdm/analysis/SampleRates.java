package dev.zdm.analysis;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Scan, rewrite and index-build rates of one server, measured once (lazily) by timing a temporary
 * sample table in the session given: an estimate of what the same work costs on a real table.
 */
public final class SampleRates {
  static final int SAMPLE_ROWS = 200_000;

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

  /** Bytes per millisecond of each kind of work. */
  record Rates(double scanBytesPerMs, double rewriteBytesPerMs, double indexBytesPerMs) {}

  private final Connection connection;
  private final String where;
  private Rates rates;

  /** @param where names the server in an estimate's basis, e.g. "this database" */
  public SampleRates(Connection connection, String where) {
    this.connection = connection;
    this.where = where;
  }

  /** Rates known in advance (a test that must not depend on how fast this machine is). */
  SampleRates(Rates known, String where) {
    this.connection = null;
    this.where = where;
    this.rates = known;
  }

  Rates rates() {
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
      throw new ZdmException(ErrorCode.UNREACHABLE, "zdm analyze: measuring scan and rewrite rates"
          + " on a temporary sample failed (" + e.getSQLState() + ": " + e.getMessage() + ")",
          null, e);
    }
  }

  /** "measured on this database with a 200000-row sample". */
  String provenance() {
    return "measured on " + where + " with a " + SAMPLE_ROWS + "-row sample";
  }

  static String mbPerSecond(double bytesPerMs) {
    return String.format("%.0f MB/s", bytesPerMs * 1000 / 1_000_000);
  }

  /** Milliseconds (at least 1) one statement takes. */
  private static double timed(Statement statement, String sql) throws SQLException {
    long start = System.nanoTime();
    statement.execute(sql);
    return Math.max(1.0, (System.nanoTime() - start) / 1_000_000.0);
  }
}
