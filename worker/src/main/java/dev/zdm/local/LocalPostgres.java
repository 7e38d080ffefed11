package dev.zdm.local;

import dev.zdm.postgres.DatabaseConfig;

/**
 * A PostgreSQL the dev stack or {@code zdm analyze} uses, with why it is this one.
 *
 * @param stop what to run on close (the embedded server's shutdown), never null
 */
public record LocalPostgres(DatabaseConfig config, String description, AutoCloseable stop)
    implements AutoCloseable {

  @Override
  public void close() {
    try {
      stop.close();
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop PostgreSQL: " + e.getMessage(), e);
    }
  }
}
