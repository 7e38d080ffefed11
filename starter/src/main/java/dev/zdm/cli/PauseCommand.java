package dev.zdm.cli;

import dev.zdm.client.ZdmClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code zdm pause ID}: the running backfill stops at its next batch and waits for resume. */
@Command(name = "pause", description = "Pause a migration's batched data step at its next batch.")
class PauseCommand extends TemporalCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "Migration id.")
  String id;

  @Override
  int run(ZdmClient client) {
    Output.print(out(), json(),
        client.pause(id),
        TextViews::control);
    return 0;
  }
}
