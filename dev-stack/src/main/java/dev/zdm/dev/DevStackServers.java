package dev.zdm.dev;

import dev.zdm.local.DevOptions;
import dev.zdm.local.LocalPostgres;
import dev.zdm.local.LocalServers;
import dev.zdm.local.LocalStack;
import dev.zdm.postgres.DatabaseConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.Consumer;

/**
 * This module's servers offered to the CLI (META-INF/services): the full {@code zdm.jar} carries
 * them, the slim jar of the worker image does not.
 */
public final class DevStackServers implements LocalServers {

  @Override
  public LocalStack startStack(DevOptions options, Map<String, String> env, Consumer<String> say) {
    return DevStack.start(options, env, say);
  }

  @Override
  public LocalPostgres startEmbeddedPostgres() {
    try {
      EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
      String url = postgres.getJdbcUrl("postgres", "postgres");
      return new LocalPostgres(DatabaseConfig.of(url), "embedded PostgreSQL at " + url, postgres);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start an embedded PostgreSQL: " + e.getMessage(), e);
    }
  }
}
