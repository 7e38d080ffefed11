package dev.zdm.local;

import dev.zdm.error.ZdmException;

/**
 * What {@code zdm dev} was asked for.
 *
 * @param temporalPort where Temporal listens (7233, the port every client expects by default)
 * @param temporalDatabaseFile the dev server's database file, for state that survives restarts
 * @param allowDownload let the SDK download the Temporal CLI when no binary is found
 * @param withWorker run a worker in this process
 * @param metricsPort the worker's Prometheus port, or null
 */
public record DevOptions(
    int temporalPort,
    String temporalDatabaseFile,
    boolean allowDownload,
    boolean withWorker,
    Integer metricsPort) {
  public static final int DEFAULT_TEMPORAL_PORT = 7233;

  public DevOptions {
    if (temporalPort < 0 || temporalPort > 65535) {
      throw ZdmException.badInput("Temporal port must be 0-65535, got " + temporalPort);
    }
  }
}
