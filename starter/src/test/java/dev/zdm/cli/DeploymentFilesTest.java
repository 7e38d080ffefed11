package dev.zdm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zdm.postgres.DatabaseConfig;
import dev.zdm.temporal.ZdmNames;
import dev.zdm.temporal.ZdmSearchAttributes;
import dev.zdm.temporalclient.TemporalConfig;
import dev.zdm.worker.WorkerConfig;
import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import dev.zdm.metrics.ZdmMetrics;
import dev.zdm.worker.MetricsServer;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import io.temporal.serviceclient.MetricsTag;
import io.temporal.worker.MetricsType;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No Docker engine runs here, so what can be checked without one is checked: the image's entry
 * point, ports and environment names, and the compose stack's wiring, match the code that reads
 * them. (`docker-compose config -q` in .ci/run checks the file's syntax.)
 */
class DeploymentFilesTest {
  private static final Path ROOT = Path.of("..");
  private static final String WORKER = "zdm-worker";
  private static final int METRICS_PORT = 9464;

  private static ComposeFile compose() throws IOException {
    return ComposeFile.read(ROOT.resolve("docker-compose.yml"));
  }

  @Test
  void theImageRunsTheSlimJarsWorkerCommand() throws IOException {
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    // The slim jar: no dev stack, no Temporal test server, no embedded PostgreSQL (SlimJarIT).
    assertThat(dockerfile).contains("-pl slim -am");
    assertThat(dockerfile).contains("COPY --from=build /src/slim/target/zdm-slim.jar /app/zdm.jar");
    assertThat(Files.readString(ROOT.resolve("slim/pom.xml")))
        .contains("<outputFile>${project.build.directory}/zdm-slim.jar</outputFile>")
        .contains("<mainClass>dev.zdm.cli.ZdmCommand</mainClass>");
    assertThat(dockerfile).contains("ENTRYPOINT [\"java\", \"-jar\", \"/app/zdm.jar\"]");
    assertThat(dockerfile).contains("CMD [\"worker\"]");
    assertThat(ZdmCommand.newCommandLine().getSubcommands()).containsKey("worker");
    assertThat(compose().strings(WORKER, "command")).containsExactly("worker");
  }

  @Test
  void theMetricsPortIsTheSameInTheImageTheComposeFilePrometheusAndTheCode() throws IOException {
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    assertThat(dockerfile)
        .contains("ENV " + WorkerConfig.ENV_METRICS_PORT + "=" + METRICS_PORT)
        .contains("EXPOSE " + METRICS_PORT);
    ComposeFile compose = compose();
    Map<String, String> env = compose.environment(WORKER);
    assertThat(WorkerConfig.fromEnvironment(env).metricsPort()).isEqualTo(METRICS_PORT);
    assertThat(compose.strings(WORKER, "expose")).containsExactly(String.valueOf(METRICS_PORT));
    // Replicas publish no host port: one fixed host port would stop `--scale zdm-worker=3`.
    assertThat(compose.service(WORKER).has("ports")).isFalse();

    JsonNode workerJob = scrapeJob("zdm-worker");
    JsonNode dns = workerJob.path("dns_sd_configs").get(0);
    assertThat(dns.path("names").get(0).asText()).isEqualTo(WORKER);
    assertThat(dns.path("port").asInt()).isEqualTo(METRICS_PORT);
    assertThat(workerJob.path("metrics_path").asText()).isEqualTo("/metrics");
  }

  @Test
  void everyEnvironmentNameTheWorkerGetsIsOneTheCodeReadsAndPointsAtAComposeService() throws IOException {
    Set<String> read = Set.of(
        TemporalConfig.ENV_ADDRESS, TemporalConfig.ENV_NAMESPACE, TemporalConfig.ENV_TASK_QUEUE,
        DatabaseConfig.ENV_URL, DatabaseConfig.ENV_USER, DatabaseConfig.ENV_PASSWORD,
        DatabaseConfig.ENV_LEDGER_SCHEMA, WorkerConfig.ENV_METRICS_PORT);
    ComposeFile compose = compose();
    Map<String, String> env = compose.environment(WORKER);
    assertThat(read).containsAll(env.keySet());
    assertThat(env.keySet()).containsAll(read);

    WorkerConfig config = WorkerConfig.fromEnvironment(env);
    assertThat(config.temporal().address()).isEqualTo("temporal:7233");
    assertThat(compose.serviceNames()).contains("temporal");
    assertThat(compose.strings("temporal", "ports")).contains("7233:7233");
    assertThat(config.temporal().taskQueue()).isEqualTo(ZdmNames.DEFAULT_TASK_QUEUE);

    URI database = URI.create(config.database().jdbcUrl().substring("jdbc:".length()));
    assertThat(compose.serviceNames()).contains(database.getHost());
    assertThat(database.getPath()).isEqualTo("/app");
    assertThat(config.database().user()).isEqualTo("app");
    // The worker's password is the one the application database's init script gives role app.
    assertThat(config.database().password())
        .isEqualTo(compose.environment(database.getHost()).get("APP_DB_PASSWORD"));
    assertThat(Files.readString(ROOT.resolve("deploy/app-postgres-init.sql")))
        .contains("CREATE ROLE app LOGIN PASSWORD :'app_password'")
        .contains("CREATE DATABASE app OWNER app");
  }

  @Test
  void temporalIsSetUpBeforeAnythingUsesItAndHasAHealthCheck() throws IOException {
    ComposeFile compose = compose();
    assertThat(compose.service("temporal").path("image").asText()).startsWith("temporalio/server:");
    assertThat(compose.service("temporal-schema").path("image").asText()).startsWith("temporalio/admin-tools:");
    assertThat(compose.dependsOn("temporal")).containsEntry("temporal-schema", "service_completed_successfully");
    assertThat(compose.service("temporal").path("healthcheck").path("test").toString())
        .contains("cluster", "health");
    assertThat(compose.dependsOn("temporal-namespace")).containsEntry("temporal", "service_healthy");
    assertThat(compose.dependsOn("temporal-ui")).containsEntry("temporal", "service_healthy");
    assertThat(compose.dependsOn(WORKER))
        .containsEntry("temporal-namespace", "service_completed_successfully")
        .containsEntry("app-postgresql", "service_healthy");
    // Temporal's store and the migrated database are different servers.
    assertThat(compose.environment("temporal")).containsEntry("POSTGRES_SEEDS", "temporal-postgresql");
    assertThat(compose.environment("temporal-ui")).doesNotContainKey("TEMPORAL_CORS_ORIGINS");
  }

  @Test
  void theNamespaceSetUpRegistersExactlyZdmsSearchAttributesInTheWorkersNamespace() throws IOException {
    ComposeFile compose = compose();
    String script = Files.readString(ROOT.resolve("deploy/temporal/setup-namespace.sh"));
    Matcher loop = Pattern.compile("for name in ([A-Za-z ]+); do").matcher(script);
    assertThat(loop.find()).isTrue();
    List<String> registered = List.of(loop.group(1).trim().split(" +"));
    assertThat(registered)
        .containsExactlyElementsOf(ZdmSearchAttributes.ALL.stream().map(SearchAttributeKey::getName).toList());
    assertThat(script).contains("--type Keyword");
    assertThat(compose.environment("temporal-namespace").get("TEMPORAL_NAMESPACE"))
        .isEqualTo(WorkerConfig.fromEnvironment(compose.environment(WORKER)).temporal().namespace());
  }

  @Test
  void everyImageHasAPinnedVersionAndEveryMountedFileExists() throws IOException {
    ComposeFile compose = compose();
    for (String name : compose.serviceNames()) {
      JsonNode service = compose.service(name);
      if (service.has("build")) {
        continue;
      }
      String image = service.path("image").asText();
      assertThat(image).as(name).matches("[a-z0-9./_-]+:[A-Za-z0-9._-]+").doesNotEndWith(":latest");
      // A tag with a dot names a release, not a moving major line such as postgres:16.
      assertThat(image.substring(image.indexOf(':') + 1)).as(name).contains(".");
    }
    for (String name : compose.serviceNames()) {
      for (String volume : compose.strings(name, "volumes")) {
        if (volume.startsWith("./")) {
          Path source = ROOT.resolve(volume.substring(2, volume.indexOf(':')));
          assertThat(source).as(name + " mounts " + volume).exists();
        }
      }
    }
    assertThat(ROOT.resolve("deploy/temporal/setup-schema.sh")).isExecutable();
    assertThat(ROOT.resolve("deploy/temporal/setup-namespace.sh")).isExecutable();
  }

  @Test
  void grafanaIsProvisionedWithPrometheusAndTheZdmDashboard() throws IOException {
    JsonNode datasources = ComposeFile.YAML.readTree(
        ROOT.resolve("deploy/grafana/provisioning/datasources/prometheus.yml").toFile());
    JsonNode source = datasources.path("datasources").get(0);
    assertThat(source.path("type").asText()).isEqualTo("prometheus");
    assertThat(source.path("url").asText()).isEqualTo("http://prometheus:9090");
    assertThat(compose().serviceNames()).contains("prometheus", "grafana");

    JsonNode providers = ComposeFile.YAML.readTree(
        ROOT.resolve("deploy/grafana/provisioning/dashboards/zdm.yml").toFile());
    String dashboardsPath = providers.path("providers").get(0).path("options").path("path").asText();
    assertThat(compose().strings("grafana", "volumes"))
        .contains("./deploy/grafana/dashboards:" + dashboardsPath + ":ro");
    try (var files = Files.list(ROOT.resolve("deploy/grafana/dashboards"))) {
      assertThat(files.map(p -> p.getFileName().toString())).contains("zdm.json");
    }
  }

  /**
   * Every metric the alert rules and the dashboard use is one the worker's registry produces
   * under exactly that Prometheus name, and docs/metrics.md documents it: no rule watches a
   * metric that does not exist.
   */
  @Test
  void everyMetricTheAlertsAndTheDashboardUseIsExportedByTheWorkerAndDocumented() throws Exception {
    Set<String> used = new LinkedHashSet<>();
    used.addAll(metricNames(Files.readString(ROOT.resolve("deploy/prometheus/alerts.yml"))));
    JsonNode dashboard = ComposeFile.YAML.readTree(ROOT.resolve("deploy/grafana/dashboards/zdm.json").toFile());
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        used.addAll(metricNames(target.path("expr").asText()));
      }
    }
    assertThat(used).contains("zdm_circuit_breaker_open", "zdm_migrations", "zdm_lock_timeouts_total",
        "zdm_ddl_statements_total", "temporal_activity_execution_latency_seconds_count");

    Set<String> exported = seriesNames(workerLikeRegistryScrape());
    String documented = Files.readString(ROOT.resolve("docs/metrics.md"));
    for (String metric : used) {
      assertThat(exported).as("exported by the worker").contains(metric);
      assertThat(documented).as("documented in docs/metrics.md").contains("`" + metric);
    }
  }

  /**
   * The dashboard's queries parse as PromQL: promtool (installed by .ci/run) checks them as
   * recording rules. Skipped, and says so, where promtool is not installed.
   */
  @Test
  void everyDashboardQueryIsValidPromQl(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(onPath("promtool"), "promtool is not installed (.ci/run installs it)");
    JsonNode dashboard = ComposeFile.YAML.readTree(ROOT.resolve("deploy/grafana/dashboards/zdm.json").toFile());
    List<Map<String, String>> rules = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        rules.add(Map.of(
            "record", "zdm:dashboard_panel_" + panel.path("id").asInt() + "_" + target.path("refId").asText(),
            "expr", target.path("expr").asText()));
      }
    }
    assertThat(rules).hasSizeGreaterThan(5);
    Path file = dir.resolve("dashboard-queries.yml");
    ComposeFile.YAML.writeValue(file.toFile(), Map.of("groups", List.of(Map.of("name", "dashboard", "rules", rules))));
    Process promtool = new ProcessBuilder("promtool", "check", "rules", file.toString())
        .redirectErrorStream(true)
        .start();
    String output = new String(promtool.getInputStream().readAllBytes());
    assertThat(promtool.waitFor()).as(output).isZero();
    assertThat(output).contains("SUCCESS: " + rules.size() + " rules found");
  }

  private static boolean onPath(String command) {
    String path = System.getenv("PATH");
    return path != null && Arrays.stream(path.split(java.io.File.pathSeparator))
        .anyMatch(directory -> Files.isExecutable(Path.of(directory, command)));
  }

  /**
   * A registry fed the way the worker feeds its own: zdm's meters through {@link ZdmMetrics}, the
   * open-migrations gauge under the name MigrationStateGauge registers, the per-migration gauges
   * under the names MigrationProgressGauges registers, and the Temporal SDK's
   * meters (by the SDK's own names and tags) through its Micrometer reporter.
   */
  private static String workerLikeRegistryScrape() throws Exception {
    PrometheusMeterRegistry registry = MetricsServer.newRegistry();
    ZdmMetrics zdm = new ZdmMetrics(registry);
    zdm.statementRun("ok");
    zdm.lockTimeoutRetried("m1");
    ZdmMetrics.BatchedPass pass = new ZdmMetrics.BatchedPass("m1", "backfill", "public.t");
    zdm.throttleReading(pass, Duration.ofSeconds(3), 1);
    zdm.batchRan(pass, Duration.ofMillis(40));
    zdm.breakerState(true);

    String gaugeSource = Files.readString(ROOT.resolve("worker/src/main/java/dev/zdm/worker/MigrationStateGauge.java"));
    Matcher gaugeName = Pattern.compile("MultiGauge\\.builder\\(\"([a-z.]+)\"\\)").matcher(gaugeSource);
    assertThat(gaugeName.find()).isTrue();
    MultiGauge.builder(gaugeName.group(1)).register(registry)
        .register(List.of(MultiGauge.Row.of(Tags.of("state", "running"), 1)));
    // The per-migration gauges, under the names MigrationProgressGauges registers.
    String progressSource = Files.readString(ROOT.resolve("worker/src/main/java/dev/zdm/worker/MigrationProgressGauges.java"));
    Matcher progressName = Pattern.compile("gauge\\(registry, \"([a-z.]+)\"").matcher(progressSource);
    int progressGauges = 0;
    while (progressName.find()) {
      progressGauges++;
      MultiGauge.builder(progressName.group(1)).register(registry)
          .register(List.of(MultiGauge.Row.of(Tags.of("migration", "m1"), 1)));
    }
    assertThat(progressGauges).isEqualTo(8);

    Scope scope = new RootScopeBuilder()
        .reporter(new MicrometerClientStatsReporter(registry))
        .reportEvery(com.uber.m3.util.Duration.ofMillis(10));
    Scope activity = scope.tagged(Map.of(MetricsTag.ACTIVITY_TYPE, "RunBatch", MetricsTag.TASK_QUEUE, ZdmNames.DEFAULT_TASK_QUEUE));
    activity.timer(MetricsType.ACTIVITY_EXEC_LATENCY).record(com.uber.m3.util.Duration.ofMillis(5));
    activity.counter(MetricsType.ACTIVITY_EXEC_FAILED_COUNTER).inc(1);
    scope.tagged(Map.of(MetricsTag.WORKFLOW_TYPE, "Migration")).counter(MetricsType.WORKFLOW_FAILED_COUNTER).inc(1);
    scope.close();
    return registry.scrape();
  }

  /** Metric names in a PromQL text; {@code up} is Prometheus's own. */
  private static Set<String> metricNames(String text) {
    Set<String> names = new LinkedHashSet<>();
    Matcher name = Pattern.compile("\\b((?:zdm|temporal)_[a-z_]+)\\b").matcher(text);
    while (name.find()) {
      names.add(name.group(1));
    }
    return names;
  }

  private static Set<String> seriesNames(String scrape) {
    Set<String> names = new LinkedHashSet<>();
    for (String line : scrape.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        names.add(line.split("[{ ]", 2)[0]);
      }
    }
    return names;
  }

  private static JsonNode scrapeJob(String name) throws IOException {
    JsonNode prometheus = ComposeFile.YAML.readTree(ROOT.resolve("deploy/prometheus/prometheus.yml").toFile());
    List<String> names = new ArrayList<>();
    for (JsonNode job : prometheus.path("scrape_configs")) {
      names.add(job.path("job_name").asText());
      if (name.equals(job.path("job_name").asText())) {
        return job;
      }
    }
    throw new AssertionError("no scrape job " + name + " in " + new LinkedHashSet<>(names));
  }
}
