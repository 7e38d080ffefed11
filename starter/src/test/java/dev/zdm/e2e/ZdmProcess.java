package dev.zdm.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the built {@code zdm} jar as a separate process, as a user or release tooling would. */
final class ZdmProcess {
  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

  /** The outcome of one finished command. */
  record Result(int exitCode, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
    }
  }

  private ZdmProcess() {}

  static Path jar() {
    String path = System.getProperty("zdm.jar", "target/zdm.jar");
    Path jar = Path.of(path);
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("no zdm jar at " + jar.toAbsolutePath() + "; run `mvn verify`");
    }
    return jar;
  }

  static ProcessBuilder builder(Map<String, String> env, String... args) {
    return builder(jar(), env, args);
  }

  /** The command run by another build of zdm, e.g. the previous release's jar. */
  static ProcessBuilder builder(Path jar, Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove("ZDM_DATABASE_URL");
    builder.environment().remove("TEMPORAL_ADDRESS");
    builder.environment().putAll(env);
    return builder;
  }

  /** Runs a command to its end. */
  static Result run(Map<String, String> env, String... args) {
    return run(jar(), env, args);
  }

  static Result run(Path jar, Map<String, String> env, String... args) {
    try {
      Path out = Files.createTempFile("zdm-out", ".txt");
      Path err = Files.createTempFile("zdm-err", ".txt");
      Process process = builder(jar, env, args)
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

  /** Starts a long-running command (server, worker); its output goes to {@code log}. */
  static Process startBackground(Map<String, String> env, File log, String... args) {
    return startBackground(jar(), env, log, args);
  }

  static Process startBackground(Path jar, Map<String, String> env, File log, String... args) {
    try {
      return builder(jar, env, args).redirectErrorStream(true).redirectOutput(log).start();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
