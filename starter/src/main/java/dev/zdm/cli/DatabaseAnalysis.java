package dev.zdm.cli;

import dev.zdm.analysis.AnalysisReport;
import dev.zdm.analysis.CatalogColumnTypes;
import dev.zdm.analysis.CatalogDowntimeEstimator;
import dev.zdm.analysis.MigrationAnalyzer;
import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;

/**
 * {@code zdm analyze --database-url}: one connection, held only for the analysis, for table sizes,
 * measured rates and current column types.
 */
final class DatabaseAnalysis {
  private DatabaseAnalysis() {}

  static AnalysisReport analyze(String url, List<String> inputs) {
    String user = System.getenv("ZDM_DATABASE_USER");
    String password = System.getenv("ZDM_DATABASE_PASSWORD");
    try (Connection connection = user == null
        ? DriverManager.getConnection(url)
        : DriverManager.getConnection(url, user, password)) {
      return new MigrationAnalyzer(new CatalogDowntimeEstimator(connection),
          new CatalogColumnTypes(connection)).analyze(inputs);
    } catch (SQLException e) {
      throw new ZdmException(ErrorCode.UNREACHABLE,
          "cannot connect to the database given by --database-url / ZDM_DATABASE_URL ("
              + e.getSQLState() + ")", "check the URL; the password goes in ZDM_DATABASE_PASSWORD");
    }
  }
}
