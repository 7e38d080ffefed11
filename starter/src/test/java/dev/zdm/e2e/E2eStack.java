package dev.zdm.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zdm.testing.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Temporal's test server (`zdm dev --no-worker`) and a zdm worker as separate processes, for one
 * test class, plus the CLI calls and waits the end-to-end tests make.
 */
final class E2eStack implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration PHASE_TIMEOUT = Duration.ofSeconds(120);

  final TestDatabase db;
  final String address;
  final int metricsPort;
  final Map<String, String> env;
  private final Path logs;
  private final Process server;
  private Process worker;
  private int workers;

  /** {@code workerJar} null: no worker yet. */
  private E2eStack(TestDatabase db, Path logs, int temporalPort, int metricsPort, Path workerJar)
      throws Exception {
    this.db = db;
    this.logs = logs;
    this.metricsPort = metricsPort;
    this.address = "127.0.0.1:" + temporalPort;
    this.env = Map.of(
        "ZDM_DATABASE_URL", TestDatabase.url(),
        "ZDM_LEDGER_SCHEMA", db.schema(),
        "TEMPORAL_ADDRESS", address);
    this.server = ZdmProcess.startBackground(env, logs.resolve("server.log").toFile(),
        "dev", "--no-worker", "--temporal-port", String.valueOf(temporalPort));
    awaitLog(logs.resolve("server.log"), "Point other zdm commands");
    if (workerJar != null) {
      startWorker(workerJar);
    }
  }

  static E2eStack start(String purpose) throws Exception {
    return start(purpose, ZdmProcess.jar());
  }

  /** The server from this build, the first worker from {@code workerJar} (e.g. an older release). */
  static E2eStack start(String purpose, Path workerJar) throws Exception {
    return new E2eStack(TestDatabase.create(purpose), Files.createTempDirectory("zdm-e2e-logs"), freePort(), freePort(),
        workerJar);
  }

  /** A fresh server that no worker has seen yet (so it knows no zdm search attribute either). */
  static E2eStack startWithoutWorker(String purpose) throws Exception {
    return new E2eStack(TestDatabase.create(purpose), Files.createTempDirectory("zdm-e2e-logs"), freePort(), freePort(),
        null);
  }

  /** Starts a CLI command that keeps running; its stdout and stderr, interleaved, go to {@code log}. */
  Process zdmInBackground(Path log, String... args) {
    return ZdmProcess.startBackground(env, log.toFile(), args);
  }

  /** Starts one more worker process (after the previous one was killed). */
  void startWorker() throws Exception {
    startWorker(ZdmProcess.jar());
  }

  /** Starts one more worker process from {@code jar}. */
  void startWorker(Path jar) throws Exception {
    Path log = logs.resolve("worker-" + (++workers) + ".log");
    worker = ZdmProcess.startBackground(jar, env, log.toFile(), "worker", "--metrics-port", String.valueOf(metricsPort));
    awaitLog(log, "zdm worker running");
  }

  /** SIGKILL: no shutdown hook runs, as when a machine dies. */
  void killWorker() throws InterruptedException {
    worker.destroyForcibly().waitFor();
  }

  ZdmProcess.Result zdm(String... args) {
    return ZdmProcess.run(env, args);
  }

  /** A command run by another build of the CLI, e.g. the previous release's. */
  ZdmProcess.Result zdm(Path jar, String... args) {
    return ZdmProcess.run(jar, env, args);
  }

  JsonNode awaitWaitingFor(String id, String waitingFor) throws Exception {
    return await(id, status -> waitingFor.equals(status.path("waitingFor").asText(null)), "waiting for " + waitingFor);
  }

  JsonNode awaitState(String id, String state) throws Exception {
    return await(id, status -> state.equals(status.path("state").asText()), "state " + state);
  }

  JsonNode await(String id, Predicate<JsonNode> condition, String what) throws Exception {
    long deadline = System.nanoTime() + PHASE_TIMEOUT.toNanos();
    String last = null;
    while (System.nanoTime() < deadline) {
      ZdmProcess.Result result = zdm("status", id, "--json");
      last = result.toString();
      if (result.exitCode() == 0) {
        JsonNode status = JSON.readTree(result.stdout());
        if (condition.test(status)) {
          return status;
        }
        if (!"RUNNING".equals(status.path("state").asText())) {
          break;
        }
      }
      Thread.sleep(300);
    }
    throw new AssertionError("migration " + id + " never reached " + what + "; last status: " + last);
  }

  Path logs() {
    return logs;
  }

  static void awaitLog(Path log, String marker) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains(marker)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no '" + marker + "' in " + log + ":\n" + (Files.exists(log) ? Files.readString(log) : ""));
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    if (worker != null) {
      worker.destroy();
    }
    server.destroy();
    db.close();
  }
}
