package dev.zdm.cli;

import dev.zdm.client.ZdmClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code zdm resume ID}: a paused backfill goes on from its last committed batch. */
@Command(name = "resume", description = "Resume a paused migration.")
class ResumeCommand extends TemporalCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "Migration id.")
  String id;

  @Override
  int run(ZdmClient client) {
    Output.print(out(), json(),
        client.resume(id),
        TextViews::control);
    return 0;
  }
}
