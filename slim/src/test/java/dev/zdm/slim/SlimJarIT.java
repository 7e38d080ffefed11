package dev.zdm.slim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.testing.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The worker image's jar: it carries neither Temporal's test server nor an embedded PostgreSQL
 * (the full zdm.jar, checked the same way, does), every command still loads, the two that need
 * those servers say so with exit 2, and its worker runs a migration to the end.
 */
class SlimJarIT {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);

  /**
   * Entry prefixes of what the dev stack alone brings: the dev stack, temporal-testing, the test
   * server (its classes are named Test*: the SDK's own serviceclient puts InProcessGRPCServer and
   * GRPCServerHelper in the same package), the embedded PostgreSQL.
   */
  private static final List<String> DEV_ONLY = List.of(
      "dev/zdm/dev/", "io/temporal/testing/", "io/temporal/internal/testservice/Test", "io/zonky/");

  private record Result(int exitCode, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
    }
  }

  @Test
  void theSlimJarHasNoDevStackNoTestServerAndNoEmbeddedPostgresWhichTheFullJarHas() throws IOException {
    List<String> slim = entries(jar("zdm.slimJar"));
    assertThat(slim).contains(
        "dev/zdm/cli/ZdmCommand.class", "dev/zdm/worker/ZdmWorker.class", "dev/zdm/local/LocalServers.class");
    assertThat(slim).filteredOn(SlimJarIT::devOnly).isEmpty();
    // The embedded PostgreSQL's binaries are archives at the root of their jars.
    assertThat(slim).filteredOn(name -> name.endsWith(".txz")).isEmpty();
    assertThat(slim).doesNotContain("META-INF/services/dev.zdm.local.LocalServers");

    List<String> full = entries(jar("zdm.jar"));
    for (String prefix : DEV_ONLY) {
      assertThat(full).as("the full jar has " + prefix).anyMatch(name -> name.startsWith(prefix));
    }
    assertThat(full).contains("META-INF/services/dev.zdm.local.LocalServers");
  }

  @Test
  void everyCommandLoadsAndTheWorkersHelpNamesItsOptions() {
    Result help = run(Map.of(), "--help");
    assertThat(help.exitCode()).as(help.toString()).isZero();
    assertThat(help.stdout()).contains("worker", "start", "doctor", "dev");

    Result worker = run(Map.of(), "worker", "--help");
    assertThat(worker.exitCode()).as(worker.toString()).isZero();
    assertThat(worker.stdout()).contains("--metrics-port", "--address", "--database-url");
  }

  @Test
  void devSaysItIsNotInThisBuildAndWhereItIs() {
    Result dev = run(Map.of(), "dev", "--no-worker", "--temporal-port", "0");

    assertThat(dev.exitCode()).as(dev.toString()).isEqualTo(2);
    assertThat(dev.stderr())
        .contains("zdm dev is not in this build: this is the slim zdm jar")
        .contains("full zdm.jar")
        .doesNotContain("NoClassDefFoundError", "Exception");
    assertThat(dev.stdout()).isEmpty();
  }

  @Test
  void analyzeWithoutAScratchServerNamesTheOptionsInsteadOfStartingAnEmbeddedOne() throws IOException {
    Path directory = Files.createTempDirectory("zdm-slim-analyze");
    Path schema = Files.writeString(directory.resolve("schema.sql"), "CREATE TABLE t (id bigint);");
    Path migration = Files.writeString(directory.resolve("V1__add.sql"), "ALTER TABLE t ADD COLUMN c text;");

    Result analyze = run(Map.of(), "analyze", migration.toString(), "--schema", schema.toString());

    assertThat(analyze.exitCode()).as(analyze.toString()).isEqualTo(2);
    assertThat(analyze.stderr())
        .contains("no embedded PostgreSQL for the scratch database")
        .contains("--scratch-url")
        .doesNotContain("NoClassDefFoundError", "Exception");
  }

  @Test
  void theSlimWorkerAndCliRunAMigrationToTheEnd() throws Exception {
    try (TestDatabase db = TestDatabase.create("slim_jar")) {
      db.execute("CREATE TABLE {schema}.notes (id bigint PRIMARY KEY)");
      db.execute("INSERT INTO {schema}.notes SELECT generate_series(1, 20)");
      Path logs = Files.createTempDirectory("zdm-slim-logs");
      String address = "127.0.0.1:" + freePort();
      Map<String, String> env = Map.of(
          "ZDM_DATABASE_URL", TestDatabase.url(),
          "ZDM_LEDGER_SCHEMA", db.schema(),
          "TEMPORAL_ADDRESS", address);
      // Temporal from the full jar, as a developer would run it; worker and CLI from the slim jar.
      Process server = start(jar("zdm.jar"), env, logs.resolve("server.log"),
          "dev", "--no-worker", "--temporal-port", address.substring(address.indexOf(':') + 1));
      Process worker = null;
      try {
        awaitLog(logs.resolve("server.log"), "Point other zdm commands");
        worker = startWorker(env, logs);
        Path migration = Files.writeString(Files.createTempDirectory("zdm-slim-migration").resolve("V1__add_body.sql"),
            "ALTER TABLE \"" + db.schema() + "\".notes ADD COLUMN body text;");

        Result started = run(env, "start", migration.toString(), "--wait");

        assertThat(started.exitCode()).as(started.toString()).isZero();
        assertThat(started.stdout()).contains("COMPLETED");
        assertThat(db.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_schema = '"
            + db.schema() + "' AND table_name = 'notes' AND column_name = 'body'")).isEqualTo(1);
        assertThat(db.queryLong("SELECT count(*) FROM {schema}.notes")).isEqualTo(20);
      } finally {
        if (worker != null) {
          worker.destroy();
          worker.waitFor(30, TimeUnit.SECONDS);
        }
        server.destroy();
        server.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  private static boolean devOnly(String entry) {
    return DEV_ONLY.stream().anyMatch(entry::startsWith);
  }

  private static Path jar(String property) {
    Path jar = Path.of(System.getProperty(property, "unset -D" + property));
    assertThat(jar).as("-D" + property + " names a built jar; run `mvn verify`").isRegularFile();
    return jar;
  }

  private static List<String> entries(Path jar) throws IOException {
    List<String> names = new ArrayList<>();
    try (JarFile file = new JarFile(jar.toFile())) {
      file.stream().map(JarEntry::getName).forEach(names::add);
    }
    return names;
  }

  private static ProcessBuilder builder(Path jar, Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1", "-jar",
        jar.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove("ZDM_DATABASE_URL");
    builder.environment().remove("TEMPORAL_ADDRESS");
    builder.environment().putAll(env);
    return builder;
  }

  /** A slim-jar command run to its end. */
  private static Result run(Map<String, String> env, String... args) {
    try {
      Path out = Files.createTempFile("zdm-out", ".txt");
      Path err = Files.createTempFile("zdm-err", ".txt");
      Process process = builder(jar("zdm.slimJar"), env, args)
          .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("zdm " + String.join(" ", args) + " did not end within " + COMMAND_TIMEOUT);
      }
      Result result = new Result(process.exitValue(), Files.readString(out), Files.readString(err));
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
      return result;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Process start(Path jar, Map<String, String> env, Path log, String... args) throws IOException {
    return builder(jar, env, args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /**
   * The slim worker, once it polls. A worker that finds Temporal unreachable exits 3; on a loaded
   * machine the freshly started server can miss the worker's 5 s connect deadline, so that exit
   * (and only that one) is retried, twice at most.
   */
  private static Process startWorker(Map<String, String> env, Path logs) throws Exception {
    for (int attempt = 1; ; attempt++) {
      Path log = logs.resolve("worker-" + attempt + ".log");
      Process worker = start(jar("zdm.slimJar"), env, log, "worker");
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline && worker.isAlive()
          && !(Files.exists(log) && Files.readString(log).contains("zdm worker running"))) {
        Thread.sleep(100);
      }
      if (worker.isAlive()) {
        awaitLog(log, "zdm worker running");
        return worker;
      }
      if (worker.exitValue() != 3 || attempt == 3) {
        throw new AssertionError("the slim worker exited " + worker.exitValue() + ":\n" + Files.readString(log));
      }
    }
  }

  private static void awaitLog(Path log, String marker) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains(marker)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no '" + marker + "' in " + log + ":\n" + (Files.exists(log) ? Files.readString(log) : ""));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
