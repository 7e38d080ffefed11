package dev.zdm.cli;

import dev.zdm.analysis.CatalogColumnTypes;
import dev.zdm.analysis.MigrationScript;
import dev.zdm.analysis.SqlSplitter;
import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.model.Strategy;
import dev.zdm.model.plan.Plan;
import dev.zdm.planning.CatalogPriorState;
import dev.zdm.planning.MigrationPlanner;
import dev.zdm.planning.PlanRenderer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code zdm plan}: the safe phases zdm would run for a migration file, as text or JSON. */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = "Show the zero-downtime plan for a migration: every step's SQL, gate and compensation.")
public final class PlanCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "FILE", description = "The migration file.")
  private Path file;

  @Option(names = "--strategy", description = "Force one strategy (default: chosen per statement from the analysis).")
  private String strategy;

  @Option(names = "--json", description = "Print the plan as JSON.")
  private boolean json;

  @Option(names = "--database-url", description = "JDBC URL of the target database, read (never"
      + " changed) for the values undos restore, as zdm start does (default: $ZDM_DATABASE_URL).")
  private String databaseUrl;

  @Spec private CommandSpec spec;

  public PlanCommand() {}

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      Strategy chosen = parseStrategy();
      String text = read(file);
      String id = file.getFileName().toString().replaceFirst("(?i)\\.sql$", "");
      Plan plan = plan(id, new SqlSplitter().split(file.toString(), text), chosen);
      PlanRenderer renderer = new PlanRenderer();
      out.print(json ? renderer.json(plan) : renderer.text(plan));
      out.flush();
      return 0;
    } catch (ZdmException e) {
      err.println("zdm plan: " + e.getMessage() + (e.hint() == null ? "" : "\n  " + e.hint()));
      err.flush();
      return e.code().exitCode();
    }
  }

  /** Without a database, statements whose undo needs a previous value show as irreversible. */
  private Plan plan(String id, MigrationScript script, Strategy chosen) {
    String url = TargetConnection.url(databaseUrl);
    if (url == null) {
      return new MigrationPlanner().plan(id, script, chosen);
    }
    try (Connection connection = TargetConnection.open(url)) {
      return new MigrationPlanner().plan(id, script, chosen, false, new CatalogPriorState(connection),
          new CatalogColumnTypes(connection));
    } catch (SQLException e) {
      throw new ZdmException(ErrorCode.UNREACHABLE,
          "lost the database given by --database-url / ZDM_DATABASE_URL (" + e.getSQLState() + ")");
    }
  }

  private Strategy parseStrategy() {
    if (strategy == null) {
      return null;
    }
    try {
      return Strategy.fromCliName(strategy);
    } catch (IllegalArgumentException e) {
      throw ZdmException.badInput("--strategy: " + e.getMessage());
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ZdmException(ErrorCode.BAD_INPUT, file + ": cannot read the file ("
          + e.getClass().getSimpleName() + ")");
    }
  }
}
