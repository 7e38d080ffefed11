package dev.zdm.cli;

import dev.zdm.client.ZdmClient;
import dev.zdm.model.RollbackRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code zdm rollback ID}: undoes a migration before its point of no return. */
@Command(name = "rollback", description = "Undo a migration's steps (refused after its point of no return).")
class RollbackCommand extends TemporalCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "Migration id.")
  String id;

  @Option(names = "--reason", description = "Why, for the history.")
  String reason;

  @Option(names = "--by", description = "Who asks (default: $USER).")
  String by;

  @Override
  int run(ZdmClient client) {
    String requester = by != null ? by : System.getenv().getOrDefault("USER", "unknown");
    Output.print(out(), json(), client.rollback(id, new RollbackRequest(requester, reason)), TextViews::control);
    return 0;
  }
}
