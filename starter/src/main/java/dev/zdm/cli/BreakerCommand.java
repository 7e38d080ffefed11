package dev.zdm.cli;

import dev.zdm.client.DatabaseAdmin;
import dev.zdm.client.ZdmClient;
import dev.zdm.ledger.BreakerState;
import dev.zdm.temporalclient.MigrationSummary;
import dev.zdm.temporalclient.TemporalConnection;
import dev.zdm.workflow.StrategyWorkflowControls;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code zdm breaker status|reset}: the database's circuit breaker. */
@Command(
    name = "breaker",
    description = "Show or reset the database's circuit breaker.",
    subcommands = {BreakerCommand.Status.class, BreakerCommand.Reset.class})
class BreakerCommand {

  @Command(name = "status", description = "Show the circuit breaker's state and last error.")
  static class Status implements Callable<Integer> {
    @Mixin DatabaseOptions database;
    @Mixin OutputOptions output;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      try (DatabaseAdmin admin = DatabaseAdmin.open(database.config())) {
        Output.print(spec.commandLine().getOut(), output.json, admin.breakerStatus(), TextViews::breaker);
      }
      return 0;
    }
  }

  @Command(name = "reset", description = "Close the circuit breaker; waiting migrations go on.")
  static class Reset implements Callable<Integer> {
    @Mixin DatabaseOptions database;
    @Mixin TemporalOptions temporal;
    @Mixin OutputOptions output;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      BreakerState state;
      try (DatabaseAdmin admin = DatabaseAdmin.open(database.config())) {
        state = admin.breakerReset();
      }
      Output.print(spec.commandLine().getOut(), output.json, state, TextViews::breaker);
      wakeWaitingMigrations();
      return 0;
    }

    /** Best effort: a waiting migration also looks at the breaker by itself every 30 s. */
    private void wakeWaitingMigrations() {
      try (ZdmClient client = new ZdmClient(TemporalConnection.open(temporal.config()), null)) {
        for (MigrationSummary migration : client.list(false)) {
          try {
            client.control(migration.id(), StrategyWorkflowControls.BREAKER_RESET, null, "breaker reset");
          } catch (RuntimeException ignored) {
            // It ended meanwhile; nothing to wake.
          }
        }
      } catch (RuntimeException e) {
        spec.commandLine().getErr().println(
            "note: running migrations could not be told at once (" + e.getMessage()
                + "); they look at the breaker again within 30 s.");
      }
    }
  }
}
