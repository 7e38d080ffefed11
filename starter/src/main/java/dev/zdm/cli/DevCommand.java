package dev.zdm.cli;

import dev.zdm.client.Demo;
import dev.zdm.client.ZdmClient;
import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.local.DevOptions;
import dev.zdm.local.LocalServers;
import dev.zdm.local.LocalStack;
import dev.zdm.postgres.DatabaseConfig;
import dev.zdm.temporalclient.TemporalConfig;
import dev.zdm.temporalclient.TemporalConnection;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code zdm dev}: Temporal + PostgreSQL + a worker on this machine, with no installs. The stack
 * comes from the dev-stack module, which the slim jar (the worker image's) leaves out.
 */
@Command(name = "dev", mixinStandardHelpOptions = true,
    description = "Run a local stack: Temporal, PostgreSQL and a worker (full zdm.jar only: not in the slim jar).")
class DevCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--demo", description = "Run the expand-contract demo on a 100,000-row table, then exit.")
  boolean demo;

  @Option(names = "--no-worker", description = "Start only Temporal and PostgreSQL; run workers as `zdm worker`.")
  boolean noWorker;

  @Option(names = "--temporal-port", defaultValue = "7233", description = "Temporal's port (default ${DEFAULT-VALUE}).")
  int temporalPort;

  @Option(names = "--temporal-db", paramLabel = "FILE", description = "With a temporal binary: keep its state in FILE.")
  String temporalDatabaseFile;

  @Option(names = "--allow-download", description = "Let the Temporal SDK download the Temporal CLI when none is found.")
  boolean allowDownload;

  @Option(names = "--metrics-port", paramLabel = "PORT", description = "Serve the worker's Prometheus metrics at :PORT/metrics.")
  Integer metricsPort;

  @Override
  public Integer call() throws InterruptedException {
    LogLevels.forLongRunningProcess();
    PrintWriter out = spec.commandLine().getOut();
    DevOptions options = new DevOptions(
        temporalPort, temporalDatabaseFile, allowDownload, demo || !noWorker, metricsPort);
    LocalStack stack = servers().startStack(options, System.getenv(), line -> {
      out.println(line);
      out.flush();
    });
    if (demo) {
      try (stack;
          ZdmClient client = new ZdmClient(
              TemporalConnection.open(TemporalConfig.fromEnvironment(System.getenv()).withAddress(stack.temporalAddress())),
              stack.temporalWebUi())) {
        boolean ok = new Demo(stack.postgres().config(), client, line -> {
          out.println(line);
          out.flush();
        }).run();
        out.println(ok ? "\nDemo done: the column was dropped without blocking the table, and its data is archived."
            : "\nDemo FAILED: see the messages above.");
        out.flush();
        return ok ? 0 : 1;
      }
    }
    out.println();
    out.println("Point other zdm commands at this stack:");
    out.println("  export TEMPORAL_ADDRESS=" + stack.temporalAddress());
    out.println("  export ZDM_DATABASE_URL='" + stack.postgres().config().safeUrl() + "'");
    if (!DatabaseConfig.DEFAULT_LEDGER_SCHEMA.equals(stack.postgres().config().ledgerSchema())) {
      out.println("  export ZDM_LEDGER_SCHEMA=" + stack.postgres().config().ledgerSchema());
    }
    if (stack.temporalWebUi() != null) {
      out.println("  export ZDM_WEB_UI=" + stack.temporalWebUi() + "   # the Temporal Web UI");
    }
    if (noWorker) {
      out.println("Then start workers:  zdm worker");
    }
    out.println("Then: zdm start FILE --strategy expand-contract; zdm list; zdm status ID. Ctrl-C stops the stack.");
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stack.close();
      stopped.countDown();
    }, "zdm-dev-shutdown"));
    stopped.await();
    return 0;
  }

  /** The dev stack, or a refusal naming the jar that has it. */
  static LocalServers servers() {
    return LocalServers.find().orElseThrow(() -> new ZdmException(ErrorCode.BAD_INPUT,
        "zdm dev is not in this build: this is the slim zdm jar (the worker image's), which leaves out"
            + " Temporal's test server and the embedded PostgreSQL.",
        "Run `zdm dev` from the full zdm.jar (`./zdm dev` in a clone builds it), or run a real stack"
            + " (`docker compose up`) and point this jar at it with TEMPORAL_ADDRESS and ZDM_DATABASE_URL."));
  }
}
