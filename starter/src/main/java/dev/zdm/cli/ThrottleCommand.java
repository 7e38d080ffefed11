package dev.zdm.cli;

import dev.zdm.backfill.BatchSettings;
import dev.zdm.client.ZdmClient;
import dev.zdm.error.ZdmException;
import dev.zdm.model.ThrottleRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code zdm throttle ID --batch-size N --delay-ms N}: live batch settings, from the next batch on. */
@Command(name = "throttle", description = "Change a running backfill's batch size and delay from its next batch on.")
class ThrottleCommand extends TemporalCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "Migration id.")
  String id;

  @Option(names = "--batch-size", paramLabel = "N", description = "Rows per batch (pins the size; adaptive sizing stops).")
  Integer batchSize;

  @Option(names = "--delay-ms", paramLabel = "N", description = "Pause between batches, in milliseconds.")
  Integer delayMs;

  /** Bad values are refused before any connection is made (exit 2, not "unreachable"). */
  @Override
  public Integer call() {
    if (batchSize == null && delayMs == null) {
      throw ZdmException.badInput("give --batch-size, --delay-ms or both");
    }
    try {
      // The engine's own limits: the workflow ignores a bad value it is sent.
      if (batchSize != null) {
        BatchSettings.checkBatchSize("--batch-size", batchSize);
      }
      if (delayMs != null) {
        BatchSettings.checkDelay("--delay-ms", delayMs);
      }
    } catch (IllegalArgumentException e) {
      throw ZdmException.badInput(e.getMessage());
    }
    return super.call();
  }

  @Override
  int run(ZdmClient client) {
    Output.print(out(), json(),
        client.throttle(id, new ThrottleRequest(batchSize, delayMs)),
        TextViews::control);
    return 0;
  }
}
