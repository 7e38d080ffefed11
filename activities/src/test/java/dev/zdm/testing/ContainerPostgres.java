package dev.zdm.testing;

import java.util.Optional;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/** A {@code postgres:15} container for the tests, when a Docker engine answers; Ryuk removes it after the JVM. */
final class ContainerPostgres {
  static final String IMAGE = "postgres:15";

  private ContainerPostgres() {}

  static Optional<String> startWhenDockerAnswers() {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      return Optional.empty();
    }
    PostgreSQLContainer<?> container = new PostgreSQLContainer<>(IMAGE).withDatabaseName("test");
    container.start();
    String url = container.getJdbcUrl();
    return Optional.of(url + (url.contains("?") ? "&" : "?") + "user=" + container.getUsername()
        + "&password=" + container.getPassword());
  }
}
