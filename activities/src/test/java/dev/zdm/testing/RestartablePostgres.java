package dev.zdm.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded PostgreSQL that one test class owns and may stop and start again, on the same data
 * directory and port, as a restart of the server would: committed data stays, every connection
 * dies. Never the shared server the other tests use.
 */
public final class RestartablePostgres implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RestartablePostgres.class);

  private final Path dataDirectory;
  private final int port;
  private EmbeddedPostgres server;

  private RestartablePostgres(Path dataDirectory, int port) {
    this.dataDirectory = dataDirectory;
    this.port = port;
  }

  public static RestartablePostgres start() {
    try {
      RestartablePostgres postgres = new RestartablePostgres(Files.createTempDirectory("zdm-restart-pg"), freePort());
      postgres.startServer();
      return postgres;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start an embedded PostgreSQL: " + e.getMessage(), e);
    }
  }

  /** A superuser's URL; it stays the same across restarts. */
  public String url() {
    return "jdbc:postgresql://localhost:" + port + "/postgres?user=postgres";
  }

  /** Stops the server (fast shutdown: open transactions are rolled back, connections closed). */
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    try {
      server.close();
      log.warn("embedded PostgreSQL on port {} stopped", port);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stop the embedded PostgreSQL: " + e.getMessage(), e);
    } finally {
      server = null;
    }
  }

  /** Starts the server again on the same data directory and port. */
  public synchronized void startAgain() {
    if (server != null) {
      throw new IllegalStateException("the embedded PostgreSQL on port " + port + " is running");
    }
    try {
      startServer();
      log.warn("embedded PostgreSQL on port {} started again", port);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded PostgreSQL again: " + e.getMessage(), e);
    }
  }

  /** For clean-up after a test that failed while the server was down. */
  public synchronized void startAgainIfStopped() {
    if (server == null) {
      startAgain();
    }
  }

  public void restart() {
    stop();
    startAgain();
  }

  private void startServer() throws IOException {
    server = EmbeddedPostgres.builder()
        .setDataDirectory(dataDirectory)
        .setCleanDataDirectory(false)
        .setPort(port)
        .setRegisterShutdownHook(true)
        .start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    stop();
    try (Stream<Path> files = Files.walk(dataDirectory)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      log.warn("could not delete {}: {}", dataDirectory, e.getMessage());
    }
  }
}
