package dev.zdm.cli;

import dev.zdm.analysis.AnalysisReport;
import dev.zdm.analysis.CatalogColumnTypes;
import dev.zdm.analysis.CatalogDowntimeEstimator;
import dev.zdm.analysis.MigrationAnalyzer;
import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * {@code zdm analyze --database-url}: one connection, held only for the analysis, for table sizes,
 * measured rates and current column types.
 */
final class DatabaseAnalysis {
  private DatabaseAnalysis() {}

  static AnalysisReport analyze(String url, List<String> inputs) {
    try (Connection connection = TargetConnection.open(url)) {
      return new MigrationAnalyzer(new CatalogDowntimeEstimator(connection),
          new CatalogColumnTypes(connection)).analyze(inputs);
    } catch (SQLException e) {
      throw new ZdmException(ErrorCode.UNREACHABLE,
          "lost the database given by --database-url / ZDM_DATABASE_URL (" + e.getSQLState() + ")");
    }
  }
}
