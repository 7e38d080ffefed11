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
 * the end whatever happens. No table size is known there, so no lock-time estimate is made.
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
    try (ScratchDatabase scratch = ScratchDatabase.create(server, allowRemote)) {
      if (schema != null) {
        try (Connection loader = scratch.connect()) {
          new SchemaLoader().load(loader, schema).forEach(notes);
        }
      }
      AnalysisReport report;
      try (Connection catalog = scratch.connect()) {
        report = new MigrationAnalyzer(null, new CatalogColumnTypes(catalog)).analyze(inputs);
      }
      return trace ? new MigrationTracer(scratch, schema != null).trace(report) : report;
    } catch (SQLException e) {
      throw new ZdmException(ErrorCode.UNREACHABLE, "zdm analyze: the scratch database failed ("
          + e.getSQLState() + ": " + e.getMessage() + ")", null, e);
    }
  }
}
