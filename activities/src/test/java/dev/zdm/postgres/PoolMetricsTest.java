package dev.zdm.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import org.junit.jupiter.api.Test;

/** The pool reports its connections to the registry the worker serves to Prometheus. */
class PoolMetricsTest {

  @Test
  void thePoolsConnectionsAreMeasured() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Database database = Database.open(DatabaseConfig.of(TestDatabase.url()), "zdm-pool-test", 2, registry);
        Connection connection = database.connection()) {
      assertThat(registry.get("hikaricp.connections.active").tag("pool", "zdm-pool-test").gauge().value())
          .isEqualTo(1.0);
    }
  }
}
