package dev.zdm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.postgres.DatabaseConfig;
import dev.zdm.temporalclient.TemporalConfig;
import dev.zdm.worker.WorkerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * No Docker engine runs here, so what can be checked without one is checked: the image's entry
 * point, ports and environment names match the code that reads them.
 */
class DeploymentFilesTest {
  private static final Path ROOT = Path.of("..");

  @Test
  void theImageRunsTheShadedJarsWorkerCommand() throws IOException {
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    assertThat(dockerfile).contains("COPY --from=build /src/starter/target/zdm.jar /app/zdm.jar");
    assertThat(Files.readString(ROOT.resolve("starter/pom.xml"))).contains("<finalName>zdm</finalName>");
    assertThat(dockerfile).contains("ENTRYPOINT [\"java\", \"-jar\", \"/app/zdm.jar\"]");
    assertThat(dockerfile).contains("CMD [\"worker\"]");
    assertThat(ZdmCommand.newCommandLine().getSubcommands()).containsKey("worker");
  }

  @Test
  void theMetricsPortIsTheSameInTheImageTheComposeFileAndTheCode() throws IOException {
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    Map<String, String> env = workerEnvironment();
    assertThat(dockerfile).contains("ENV " + WorkerConfig.ENV_METRICS_PORT + "=9464").contains("EXPOSE 9464");
    assertThat(env).containsEntry(WorkerConfig.ENV_METRICS_PORT, "9464");
    assertThat(workerBlock()).contains("\"9464:9464\"");
  }

  @Test
  void everyEnvironmentNameTheWorkerGetsIsOneTheCodeReads() throws IOException {
    Set<String> read = Set.of(
        TemporalConfig.ENV_ADDRESS, TemporalConfig.ENV_NAMESPACE, TemporalConfig.ENV_TASK_QUEUE,
        DatabaseConfig.ENV_URL, DatabaseConfig.ENV_USER, DatabaseConfig.ENV_PASSWORD,
        DatabaseConfig.ENV_LEDGER_SCHEMA, WorkerConfig.ENV_METRICS_PORT);
    Map<String, String> env = workerEnvironment();
    assertThat(read).containsAll(env.keySet());
    assertThat(env.get(TemporalConfig.ENV_ADDRESS)).isEqualTo("temporal:7233");
    assertThat(new TemporalConfig(env.get(TemporalConfig.ENV_ADDRESS), null, null).address()).isEqualTo("temporal:7233");
    assertThat(DatabaseConfig.fromEnvironment(env).jdbcUrl()).isEqualTo("jdbc:postgresql://postgresql:5432/app");
  }

  private static Map<String, String> workerEnvironment() throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    Matcher entry = Pattern.compile("(?m)^\\s+- ([A-Z_]+)=(\\S*)$").matcher(workerBlock());
    while (entry.find()) {
      env.put(entry.group(1), entry.group(2));
    }
    assertThat(env).isNotEmpty();
    return env;
  }

  /** The zdm-worker service's lines, up to the next top-level or service key. */
  private static String workerBlock() throws IOException {
    List<String> lines = Files.readAllLines(ROOT.resolve("docker-compose.yml"));
    StringBuilder block = new StringBuilder();
    boolean inside = false;
    for (String line : lines) {
      if (line.equals("  zdm-worker:")) {
        inside = true;
        continue;
      }
      if (inside && (line.matches("^  \\S.*") || line.matches("^\\S.*"))) {
        break;
      }
      if (inside) {
        block.append(line).append('\n');
      }
    }
    return block.toString();
  }
}
