package dev.zdm.dev;

import io.temporal.testing.TemporalDevServer;
import io.temporal.testing.TemporalDevServerOptions;

/** The real Temporal dev server (the `temporal` CLI binary), with its Web UI. */
public final class DevServerTemporal implements LocalTemporal {
  public static final int UI_PORT_OFFSET = 1000;

  private final TemporalDevServer server;
  private final String reason;
  private final String webUi;
  private final boolean durable;

  private DevServerTemporal(TemporalDevServer server, String reason, String webUi, boolean durable) {
    this.server = server;
    this.reason = reason;
    this.webUi = webUi;
    this.durable = durable;
  }

  /**
   * Starts {@code binary} on {@code port}; with a database file, workflows survive restarts. The
   * SDK never looks on PATH and downloads when it has no binary: a null binary asks for exactly
   * that download, any other value turns downloads off.
   */
  public static DevServerTemporal start(String binary, int port, String databaseFile, String reason) {
    int uiPort = port + UI_PORT_OFFSET;
    TemporalDevServerOptions.Builder options =
        TemporalDevServerOptions.newBuilder()
            .setDownloadEnabled(binary == null)
            .setIp("127.0.0.1")
            .setPort(port)
            .setUiEnabled(true)
            .setUiPort(uiPort);
    if (binary != null) {
      options.setExistingPath(binary);
    }
    if (databaseFile != null) {
      options.setDatabaseFilename(databaseFile);
    }
    TemporalDevServer server = TemporalDevServer.start(options.build());
    return new DevServerTemporal(
        server, reason, "http://127.0.0.1:" + uiPort, databaseFile != null);
  }

  @Override
  public String address() {
    return server.getTarget();
  }

  @Override
  public String description() {
    return "Temporal dev server at " + address() + " (" + reason + ")"
        + (durable ? ", state kept in its database file" : ", in memory: start with --temporal-db FILE to keep state");
  }

  @Override
  public boolean durable() {
    return durable;
  }

  @Override
  public String webUi() {
    return webUi;
  }

  @Override
  public void close() {
    server.close();
  }
}
