package dev.zdm.cli;

import dev.zdm.client.ZdmClient;
import dev.zdm.error.ZdmException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code zdm deployed ID --version V}: release tooling says an application version is live. */
@Command(name = "deployed", description = "Tell a migration that an application version is deployed.")
class DeployedCommand extends TemporalCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "Migration id.")
  String id;

  @Option(names = "--version", required = true, paramLabel = "V", description = "The deployed application version.")
  String version;

  @Option(names = "--stage", paramLabel = "STAGE", description = "For dual-write: reads or writes.")
  String stage;

  @Override
  int run(ZdmClient client) {
    if (stage != null && !stage.equals("reads") && !stage.equals("writes")) {
      throw ZdmException.badInput("--stage must be reads or writes, got '" + stage + "'");
    }
    Output.print(out(), json(), client.deployed(id, version, stage), TextViews::control);
    return 0;
  }
}
