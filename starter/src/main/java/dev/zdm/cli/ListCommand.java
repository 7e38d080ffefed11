package dev.zdm.cli;

import dev.zdm.client.ZdmClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code zdm list}: migrations with their state, phase and what they wait for. */
@Command(name = "list", description = "List migrations with their state, phase and what they wait for.")
class ListCommand extends TemporalCommand {
  @Option(names = "--all", description = "Include migrations that have ended.")
  boolean all;

  @Override
  int run(ZdmClient client) {
    Output.print(out(), json(), client.list(all), TextViews::list);
    return 0;
  }
}
