package dev.zdm.worker;

import dev.zdm.error.ZdmException;
import dev.zdm.ledger.TableClaims;
import dev.zdm.postgres.DatabaseConfig;
import dev.zdm.temporalclient.TemporalConfig;
import java.util.Map;

/**
 * Everything a worker needs, validated in one place: environment first, flags override.
 *
 * @param metricsPort the Prometheus endpoint's port, or null for no endpoint
 * @param maxConcurrentMigrations how many migrations may run at once in the worker's database
 *     (counted per ledger schema, through the table claims)
 */
public record WorkerConfig(
    TemporalConfig temporal,
    DatabaseConfig database,
    Integer metricsPort,
    int maxConcurrentActivities,
    int maxConcurrentMigrations) {

  public static final int DEFAULT_MAX_CONCURRENT_ACTIVITIES = 10;
  public static final String ENV_METRICS_PORT = "ZDM_METRICS_PORT";
  public static final String ENV_MAX_CONCURRENT_MIGRATIONS = "ZDM_MAX_CONCURRENT_MIGRATIONS";

  public WorkerConfig {
    if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) {
      throw ZdmException.badInput("metrics port must be 0-65535, got " + metricsPort);
    }
    if (maxConcurrentActivities < 1) {
      throw ZdmException.badInput(
          "max concurrent activities must be at least 1, got " + maxConcurrentActivities);
    }
    if (maxConcurrentMigrations < 1) {
      throw ZdmException.badInput(ENV_MAX_CONCURRENT_MIGRATIONS
          + " must be at least 1, got " + maxConcurrentMigrations);
    }
  }

  public static WorkerConfig fromEnvironment(Map<String, String> env) {
    String port = env.get(ENV_METRICS_PORT);
    Integer metricsPort = null;
    if (port != null && !port.isBlank()) {
      try {
        metricsPort = Integer.parseInt(port.strip());
      } catch (NumberFormatException e) {
        throw ZdmException.badInput(ENV_METRICS_PORT + " must be a port number, got '" + port + "'");
      }
    }
    return new WorkerConfig(
        TemporalConfig.fromEnvironment(env),
        DatabaseConfig.fromEnvironment(env),
        metricsPort,
        DEFAULT_MAX_CONCURRENT_ACTIVITIES,
        maxConcurrentMigrations(env.get(ENV_MAX_CONCURRENT_MIGRATIONS)));
  }

  private static int maxConcurrentMigrations(String value) {
    if (value == null || value.isBlank()) {
      return TableClaims.DEFAULT_MAX_CONCURRENT_MIGRATIONS;
    }
    try {
      return Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw ZdmException.badInput(ENV_MAX_CONCURRENT_MIGRATIONS + " must be a number, got '" + value + "'");
    }
  }

  public WorkerConfig withTemporal(TemporalConfig value) {
    return new WorkerConfig(value, database, metricsPort, maxConcurrentActivities, maxConcurrentMigrations);
  }

  public WorkerConfig withDatabase(DatabaseConfig value) {
    return new WorkerConfig(temporal, value, metricsPort, maxConcurrentActivities, maxConcurrentMigrations);
  }

  public WorkerConfig withMetricsPort(Integer value) {
    return new WorkerConfig(temporal, database, value, maxConcurrentActivities, maxConcurrentMigrations);
  }
}
