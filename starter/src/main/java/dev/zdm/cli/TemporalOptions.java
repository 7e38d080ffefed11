package dev.zdm.cli;

import dev.zdm.temporalclient.TemporalConfig;
import picocli.CommandLine.Option;

/** Where Temporal is: environment first (TEMPORAL_ADDRESS, ...), these flags override. */
public class TemporalOptions {
  /** The Temporal Web UI's base URL; unset, no link is printed (the test server has no UI). */
  public static final String ENV_WEB_UI = "ZDM_WEB_UI";

  @Option(names = "--address", paramLabel = "HOST:PORT", description = "Temporal frontend (env TEMPORAL_ADDRESS, default localhost:7233).")
  String address;

  @Option(names = "--namespace", description = "Temporal namespace (env TEMPORAL_NAMESPACE, default default).")
  String namespace;

  @Option(names = "--task-queue", description = "Task queue of the zdm workers (env ZDM_TASK_QUEUE, default zdm-migrations).")
  String taskQueue;

  TemporalConfig config() {
    TemporalConfig fromEnv = TemporalConfig.fromEnvironment(System.getenv());
    return new TemporalConfig(
        address != null ? address : fromEnv.address(),
        namespace != null ? namespace : fromEnv.namespace(),
        taskQueue != null ? taskQueue : fromEnv.taskQueue());
  }

  static String webUi() {
    String configured = System.getenv(ENV_WEB_UI);
    return configured == null || configured.isBlank() ? null : configured.strip();
  }
}
