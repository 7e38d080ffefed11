package dev.zdm.analysis;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.postgres.DatabaseConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code zdm analyze --schema/--trace}: a scratch database on a server zdm may use, the schema
 * loaded into it, the files judged against its catalog and (with --trace) run on it; dropped at
 * the end whatever happens. Its tables are empty: lock-time estimates need a target database,
 * whose statistics give the real sizes (rates are measured on the scratch server, not there).
 */
public final class ScratchAnalysis {
  private ScratchAnalysis() {}

  /**
   * @param allowRemote false refuses a server that is not on this machine
   * @param schema a pg_dump --schema-only file or a directory of earlier migrations, or null
   * @param notes receives one line per schema statement skipped
   */
  public static AnalysisReport analyze(DatabaseConfig server, boolean allowRemote, Path schema,
      boolean trace, List<String> inputs, Consumer<String> notes) {
    return analyze(server, allowRemote, schema, trace, inputs, notes, null);
  }

  /**
   * @param target the database the migrations are for, read for table statistics only
   *     ({@link TableStatistics}), or null: each estimate (static and traced) then uses its sizes
   */
  public static AnalysisReport analyze(DatabaseConfig server, boolean allowRemote, Path schema,
      boolean trace, List<String> inputs, Consumer<String> notes, Connection target) {
    try (ScratchDatabase scratch = ScratchDatabase.create(server, allowRemote);
        Connection sample = scratch.connect()) {
      TableStatistics statistics = target == null ? null : new TableStatistics(target);
      SampleRates rates = new SampleRates(sample, "the scratch server");
      if (schema != null) {
        try (Connection loader = scratch.connect()) {
          new SchemaLoader().load(loader, schema).forEach(notes);
        }
      }
      AnalysisReport report;
      try (Connection catalog = scratch.connect()) {
        report = new MigrationAnalyzer(
            statistics == null ? null : new CatalogDowntimeEstimator(statistics, rates),
            new CatalogColumnTypes(catalog)).analyze(inputs);
      }
      return trace ? new MigrationTracer(scratch, schema != null, statistics == null ? null
          : new TracedDowntimeEstimator(statistics, rates)).trace(report) : report;
    } catch (SQLException e) {
      throw new ZdmException(ErrorCode.UNREACHABLE, "zdm analyze: the scratch database failed ("
          + e.getSQLState() + ": " + e.getMessage() + ")", null, e);
    }
  }
}
