package dev.zdm.cli;

import dev.zdm.worker.WorkerConfig;
import dev.zdm.worker.ZdmWorker;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code zdm worker}: runs migrations; start as many as you like, they share the task queue. */
@Command(name = "worker", mixinStandardHelpOptions = true, description = "Run a zdm worker until stopped (SIGTERM or Ctrl-C).")
class WorkerCommand implements Callable<Integer> {
  @Mixin TemporalOptions temporal;
  @Mixin DatabaseOptions database;
  @Spec CommandSpec spec;

  @Option(names = "--metrics-port", paramLabel = "PORT", description = "Serve Prometheus metrics at :PORT/metrics (env ZDM_METRICS_PORT).")
  Integer metricsPort;

  @Override
  public Integer call() throws InterruptedException {
    LogLevels.forLongRunningProcess();
    WorkerConfig config = WorkerConfig.fromEnvironment(System.getenv())
        .withTemporal(temporal.config())
        .withDatabase(database.config());
    if (metricsPort != null) {
      config = config.withMetricsPort(metricsPort);
    }
    ZdmWorker worker = ZdmWorker.start(config);
    spec.commandLine().getOut().println(
        "zdm worker running: task queue " + config.temporal().taskQueue() + " at " + config.temporal().address()
            + (worker.metricsPort() == null ? "" : ", metrics at http://127.0.0.1:" + worker.metricsPort() + "/metrics"));
    spec.commandLine().getOut().flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      worker.close();
      stopped.countDown();
    }, "zdm-worker-shutdown"));
    stopped.await();
    return 0;
  }
}
