package dev.zdm.dev;

import dev.zdm.postgres.DatabaseConfig;

/**
 * The PostgreSQL the dev stack uses, with why it is this one.
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
