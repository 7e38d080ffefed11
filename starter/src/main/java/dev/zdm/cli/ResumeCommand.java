package dev.zdm.cli;

import dev.zdm.client.ZdmClient;
import dev.zdm.workflow.StrategyWorkflowControls;
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
        client.control(id, StrategyWorkflowControls.RESUME, null, "Resume sent."),
        TextViews::control);
    return 0;
  }
}
