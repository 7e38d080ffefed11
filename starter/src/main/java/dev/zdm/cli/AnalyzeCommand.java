package dev.zdm.cli;

import dev.zdm.analysis.AnalysisReport;
import dev.zdm.analysis.JsonReportRenderer;
import dev.zdm.analysis.MigrationAnalyzer;
import dev.zdm.analysis.SarifReportRenderer;
import dev.zdm.analysis.ScratchAnalysis;
import dev.zdm.analysis.TextReportRenderer;
import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code zdm analyze}: lock facts and verdicts for migration files; exit 0 safe, 1 unsafe, 2 bad input. */
@Command(
    name = "analyze",
    mixinStandardHelpOptions = true,
    description = "Say what each statement locks, whether it is safe on a live table, and what to do instead.")
public final class AnalyzeCommand implements Callable<Integer> {

  /** The output formats of {@code --format}. */
  public enum Format {
    text,
    json,
    sarif
  }

  @Parameters(arity = "1..*", paramLabel = "FILE|DIR", description = "Migration files or directories (read in version order).")
  private List<String> inputs;

  @Option(names = "--format", defaultValue = "text", description = "text, json or sarif (default: ${DEFAULT-VALUE}).")
  private Format format;

  @Option(names = "--database-url", description = "JDBC URL for size-based estimates (default: $ZDM_DATABASE_URL); with --schema/--trace, also the local server the scratch database is made on, and each estimate (static and traced) uses this database's table statistics (pg_class, pg_relation_size: never a scan).")
  private String databaseUrl;

  @Option(names = "--schema", paramLabel = "FILE|DIR", description = "Judge against this schema (pg_dump --schema-only file, or a directory of earlier migrations), loaded into a scratch database.")
  private Path schema;

  @Option(names = "--trace", description = "Run each statement on the scratch database and report the locks, rewrites, scans and errors PostgreSQL shows, beside the static verdict.")
  private boolean trace;

  @Option(names = "--scratch-url", paramLabel = "URL", description = "Server for the scratch database when it is not on this machine (its user needs CREATEDB). Without it or a --database-url, an embedded PostgreSQL is started for the run.")
  private String scratchUrl;

  @Spec private CommandSpec spec;

  public AnalyzeCommand() {}

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String url = TargetConnection.url(databaseUrl);
    try {
      AnalysisReport report;
      if (schema != null || trace) {
        try (ScratchServer server = ScratchServer.choose(scratchUrl, url, System.getenv());
            Connection target = url == null ? null : TargetConnection.open(url)) {
          report = ScratchAnalysis.analyze(server.config(), server.allowRemote(), schema, trace,
              inputs, note -> err.println("zdm analyze: " + note), target);
        } catch (SQLException e) {
          throw new ZdmException(ErrorCode.UNREACHABLE, "lost the database given by"
              + " --database-url / ZDM_DATABASE_URL (" + e.getSQLState() + ")");
        }
      } else {
        report = url == null || url.isBlank()
            ? new MigrationAnalyzer().analyze(inputs)
            : DatabaseAnalysis.analyze(url, inputs);
      }
      out.print(switch (format) {
        case text -> new TextReportRenderer().render(report);
        case json -> new JsonReportRenderer().render(report);
        case sarif -> new SarifReportRenderer().render(report);
      });
      out.flush();
      return report.exitCode();
    } catch (ZdmException e) {
      err.println("zdm analyze: " + e.getMessage() + (e.hint() == null ? "" : "\n  " + e.hint()));
      err.flush();
      return e.code().exitCode();
    }
  }
}
