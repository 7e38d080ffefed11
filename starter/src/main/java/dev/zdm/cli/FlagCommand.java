package dev.zdm.cli;

import dev.zdm.client.FlagRolloutRequests;
import dev.zdm.client.StartOptions;
import dev.zdm.client.StartResult;
import dev.zdm.client.ZdmClient;
import dev.zdm.featureflag.FlagSetRequest;
import dev.zdm.model.HumanDuration;
import dev.zdm.model.MigrationRequest;
import dev.zdm.model.Outcome;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code zdm flag start|set|hold|continue}: durable feature-flag rollouts. */
@Command(
    name = "flag",
    description = "Roll a feature flag out durably: by schedule, by hand, and back by guard or rollback.",
    subcommands = {FlagCommand.Start.class, FlagCommand.Set.class, FlagCommand.Hold.class,
        FlagCommand.Continue.class})
class FlagCommand {

  private static String user() {
    return System.getenv().getOrDefault("USER", "unknown");
  }

  @Command(name = "start", description = "Start a rollout of FLAG through --steps, soaking at each.")
  static class Start extends TemporalCommand {
    @Parameters(index = "0", paramLabel = "FLAG", description = "The flag's name in _migration_feature_flags.")
    String flag;

    @Option(names = "--steps", required = true, paramLabel = "P,P,...", description = "Increasing percentages, e.g. 5,25,50,100.")
    String steps;

    @Option(names = "--soak", paramLabel = "DURATION", description = "How long each percentage holds before the next (default 0s).")
    String soak;

    @Option(names = "--guard", paramLabel = "SQL", description = "A SELECT returning one boolean; false rolls the flag back. Repeatable.")
    List<String> guards;

    @Option(names = "--guard-every", paramLabel = "DURATION", description = "How often guards run during a soak (default 30s).")
    String guardEvery;

    @Option(names = "--approve-at", paramLabel = "P,P,...", description = "Steps that wait for `zdm approve` first.")
    String approveAt;

    @Option(names = "--id", description = "Migration id (default: flag-FLAG).")
    String id;

    @Option(names = "--wait", description = "Wait until the rollout ends; exit 1 if it rolls back.")
    boolean waitForEnd;

    @Option(names = "--wait-timeout", paramLabel = "DURATION", description = "How long to wait for a worker to take the rollout (default 5m).")
    String waitTimeout;

    private MigrationRequest request;

    /** Bad input is refused (exit 2) before Temporal is even reached. */
    @Override
    public Integer call() {
      request = FlagRolloutRequests.start(flag, steps, soak, guards, guardEvery, approveAt, id, user());
      return super.call();
    }

    @Override
    int run(ZdmClient client) {
      StartOptions options = new StartOptions(
          waitForEnd, waitTimeout == null ? null : HumanDuration.parse(waitTimeout), false);
      StartResult result = client.start(request, options, (migrationId, workflowId, taskQueue) -> {
        spec.commandLine().getErr().println("zdm: rollout " + migrationId + " is started as workflow "
            + workflowId + "; waiting for a worker on task queue " + taskQueue + "...");
        spec.commandLine().getErr().flush();
      });
      Output.print(out(), json(), result, TextViews::started);
      return result.result() != null && result.result().outcome() == Outcome.ROLLED_BACK ? 1 : 0;
    }
  }

  @Command(name = "set", description = "Move a rollout to PERCENT now; the schedule goes on from there.")
  static class Set extends TemporalCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "Migration id, or the flag's name.")
    String id;

    @Parameters(index = "1", paramLabel = "PERCENT", description = "0..100.")
    String percent;

    @Option(names = "--reason", description = "Why, for the flag's history.")
    String reason;

    @Option(names = "--allow-decrease", description = "Allow a lower percentage than the current one.")
    boolean allowDecrease;

    private FlagSetRequest request;

    @Override
    public Integer call() {
      request = FlagRolloutRequests.set(percent, reason, user(), allowDecrease);
      return super.call();
    }

    @Override
    int run(ZdmClient client) {
      Output.print(out(), json(), client.setFlag(id, request), TextViews::control);
      return 0;
    }
  }

  @Command(name = "hold", description = "Stop a rollout's schedule at its current percentage.")
  static class Hold extends TemporalCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "Migration id, or the flag's name.")
    String id;

    @Override
    int run(ZdmClient client) {
      Output.print(out(), json(), client.holdFlag(id), TextViews::control);
      return 0;
    }
  }

  @Command(name = "continue", description = "Go on with a held rollout's schedule.")
  static class Continue extends TemporalCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "Migration id, or the flag's name.")
    String id;

    @Override
    int run(ZdmClient client) {
      Output.print(out(), json(), client.continueFlag(id), TextViews::control);
      return 0;
    }
  }
}
