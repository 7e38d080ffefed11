package dev.zdm.cli;

import dev.zdm.model.HumanDuration;
import dev.zdm.client.MigrationFiles;
import dev.zdm.client.StartOptions;
import dev.zdm.client.StartResult;
import dev.zdm.client.ZdmClient;
import dev.zdm.error.ZdmException;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationRequest;
import dev.zdm.model.Outcome;
import dev.zdm.model.Strategy;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code zdm start FILE}: plans the migration on a worker and starts its workflow. */
@Command(name = "start", description = "Start a migration from a SQL file as a Temporal workflow.")
class StartCommand extends TemporalCommand {
  @Parameters(index = "0", paramLabel = "FILE", description = "The migration's SQL file.")
  Path file;

  @Option(names = "--strategy", paramLabel = "S", description = "expand-contract, dual-write, progressive, blue-green or feature-flag.")
  String strategy;

  @Option(names = "--id", description = "Migration id (default: the file name without .sql).")
  String id;

  @Option(names = "--wait", description = "Wait until the migration ends; exit 1 if it fails.")
  boolean waitForEnd;

  @Option(names = "--removal-after", paramLabel = "DURATION", description = "How long a deprecated column stays before it may be dropped (default 30d).")
  String removalAfter;

  @Option(names = "--lock-timeout", paramLabel = "DURATION", description = "lock_timeout of every statement zdm runs (default 200ms).")
  String lockTimeout;

  @Option(names = "--statement-timeout", paramLabel = "DURATION", description = "statement_timeout of schema changes (default 60s).")
  String statementTimeout;

  @Option(names = "--no-approval", description = "Do not wait for `zdm approve` before irreversible steps.")
  boolean noApproval;

  @Option(names = "--force", description = "Run even a plan zdm cannot make safe.")
  boolean force;

  @Option(names = "--wait-timeout", paramLabel = "DURATION", description = "How long to wait for a worker to plan the migration (default 5m); the workflow stays started after it.")
  String waitTimeout;

  @Option(names = "--reads-flag", paramLabel = "FLAG", description = "A dual-write's reads switch with FLAG: it goes on when FLAG's rollout reaches 100 % instead of waiting for `zdm deployed --stage reads`.")
  String readsFlag;

  @Option(names = "--rerun", description = "Start a rolled-back migration again under the same id (a running or completed one is still refused).")
  boolean rerun;

  @Override
  int run(ZdmClient client) {
    MigrationOptions options;
    try {
      options =
          new MigrationOptions(
              removalAfter == null ? null : HumanDuration.parse(removalAfter),
              lockTimeout == null ? null : HumanDuration.parse(lockTimeout),
              statementTimeout == null ? null : HumanDuration.parse(statementTimeout),
              !noApproval,
              force);
    } catch (IllegalArgumentException e) {
      throw ZdmException.badInput(e.getMessage());
    }
    Strategy chosen;
    try {
      chosen = strategy == null ? null : Strategy.fromCliName(strategy);
    } catch (IllegalArgumentException e) {
      throw ZdmException.badInput(e.getMessage());
    }
    MigrationRequest request = MigrationFiles.load(file, id, chosen, options);
    try {
      request = readsFlag == null ? request : request.withReadsFlag(readsFlag);
    } catch (IllegalArgumentException e) {
      throw ZdmException.badInput(e.getMessage());
    }
    StartOptions startOptions = new StartOptions(
        waitForEnd, waitTimeout == null ? null : HumanDuration.parse(waitTimeout), rerun);
    StartResult result = client.start(request, startOptions, this::sayWaitingForWorker);
    Output.print(out(), json(), result, TextViews::started);
    return result.result() != null && result.result().outcome() == Outcome.ROLLED_BACK ? 1 : 0;
  }

  /** On stderr, so that stdout stays the result (and valid JSON with --json). */
  private void sayWaitingForWorker(String migrationId, String workflowId, String taskQueue) {
    PrintWriter err = spec.commandLine().getErr();
    err.println("zdm: migration " + migrationId + " is started as workflow " + workflowId
        + "; waiting for a worker on task queue " + taskQueue + " (start one with `zdm worker`)...");
    err.flush();
  }
}
