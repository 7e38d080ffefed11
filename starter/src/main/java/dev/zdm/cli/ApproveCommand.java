package dev.zdm.cli;

import dev.zdm.client.ZdmClient;
import dev.zdm.model.ApprovalRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code zdm approve ID}: lets a migration take its next irreversible step. */
@Command(name = "approve", description = "Approve the irreversible step a migration waits for.")
class ApproveCommand extends TemporalCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "Migration id.")
  String id;

  @Option(names = "--by", description = "Who approves (default: $USER).")
  String by;

  @Option(names = "--comment", description = "Why, for the history.")
  String comment;

  @Override
  int run(ZdmClient client) {
    String approver = by != null ? by : System.getenv().getOrDefault("USER", "unknown");
    Output.print(out(), json(), client.approve(id, new ApprovalRequest(approver, comment)), TextViews::control);
    return 0;
  }
}
