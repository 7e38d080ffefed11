package dev.zdm.cli;

import dev.zdm.client.ZdmClient;
import dev.zdm.temporalclient.TemporalConnection;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Base of the commands that talk to Temporal: connection flags, --json, and the client. */
abstract class TemporalCommand implements Callable<Integer> {
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    try (ZdmClient client = new ZdmClient(TemporalConnection.open(temporal.config()), TemporalOptions.webUi())) {
      return run(client);
    }
  }

  abstract int run(ZdmClient client);

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  boolean json() {
    return output.json;
  }
}
