package dev.zdm.cli;

import dev.zdm.client.ZdmClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code zdm status ID}: state, phase, what it waits for, steps done. */
@Command(name = "status", description = "Show a migration's state, phase, what it waits for and its steps.")
class StatusCommand extends TemporalCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "Migration id (the zdm- prefix is optional).")
  String id;

  @Override
  int run(ZdmClient client) {
    Output.print(out(), json(), client.status(id), TextViews::status);
    return 0;
  }
}
