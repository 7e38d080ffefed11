package dev.zdm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code zdm} command: zero-downtime PostgreSQL migrations as Temporal workflows. */
@Command(
    name = "zdm",
    mixinStandardHelpOptions = true,
    version = "zdm 0.1.0",
    description = "Zero-downtime PostgreSQL schema migrations, run as durable Temporal workflows.",
    subcommands = {
      DevCommand.class,
      WorkerCommand.class,
      BootstrapCommand.class,
      StartCommand.class,
      StatusCommand.class,
      ListCommand.class,
      DeployedCommand.class,
      ApproveCommand.class,
      RollbackCommand.class,
      BreakerCommand.class,
      PauseCommand.class,
      ResumeCommand.class,
      ThrottleCommand.class,
      WatchCommand.class,
      AnalyzeCommand.class,
      PlanCommand.class,
      DoctorCommand.class,
      FlagCommand.class,
    })
public class ZdmCommand {

  public static void main(String[] args) {
    System.exit(newCommandLine().execute(args));
  }

  /** The configured command line, also used by tests to run commands in process. */
  public static CommandLine newCommandLine() {
    return new CommandLine(new ZdmCommand())
        .setExecutionExceptionHandler(new ErrorHandler())
        .setCaseInsensitiveEnumValuesAllowed(true);
  }
}
