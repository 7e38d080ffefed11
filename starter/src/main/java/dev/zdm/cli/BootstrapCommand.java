package dev.zdm.cli;

import dev.zdm.client.DatabaseAdmin;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code zdm bootstrap}: installs or upgrades the ledger (workers also do it at start). */
@Command(name = "bootstrap", description = "Install or upgrade zdm's ledger in the target database.")
class BootstrapCommand implements Callable<Integer> {
  @Mixin DatabaseOptions database;
  @Mixin OutputOptions output;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    try (DatabaseAdmin admin = DatabaseAdmin.open(database.config())) {
      Output.print(spec.commandLine().getOut(), output.json, admin.bootstrap(), TextViews::bootstrap);
    }
    return 0;
  }
}
