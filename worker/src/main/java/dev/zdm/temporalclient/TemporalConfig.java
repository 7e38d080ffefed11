package dev.zdm.temporalclient;

import dev.zdm.error.ZdmException;
import dev.zdm.temporal.ZdmNames;
import java.util.Map;

/** Where the Temporal server is and which namespace and task queue zdm uses there. */
public record TemporalConfig(String address, String namespace, String taskQueue) {
  public static final String DEFAULT_ADDRESS = "localhost:7233";
  public static final String DEFAULT_NAMESPACE = "default";
  public static final String ENV_ADDRESS = "TEMPORAL_ADDRESS";
  public static final String ENV_NAMESPACE = "TEMPORAL_NAMESPACE";
  public static final String ENV_TASK_QUEUE = "ZDM_TASK_QUEUE";

  public TemporalConfig {
    address = blankTo(address, DEFAULT_ADDRESS);
    namespace = blankTo(namespace, DEFAULT_NAMESPACE);
    taskQueue = blankTo(taskQueue, ZdmNames.DEFAULT_TASK_QUEUE);
    if (!address.matches("[^\\s:/]+:\\d{1,5}")) {
      throw ZdmException.badInput(
          "Temporal address must be host:port (e.g. " + DEFAULT_ADDRESS + "), got '" + address + "'");
    }
  }

  public static TemporalConfig fromEnvironment(Map<String, String> env) {
    return new TemporalConfig(env.get(ENV_ADDRESS), env.get(ENV_NAMESPACE), env.get(ENV_TASK_QUEUE));
  }

  public TemporalConfig withAddress(String value) {
    return new TemporalConfig(value, namespace, taskQueue);
  }

  private static String blankTo(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value.strip();
  }
}
