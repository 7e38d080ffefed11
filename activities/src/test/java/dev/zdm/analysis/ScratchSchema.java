package dev.zdm.analysis;

import dev.zdm.postgres.Identifiers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/** A connection and a schema of its own on the test server, dropped with everything in it. */
final class ScratchSchema implements AutoCloseable {
  private final Connection connection;
  private final String name;

  /** Creates {@code <prefix>_<random>} and runs {@code setup}, with {@code %1$s} the quoted schema. */
  ScratchSchema(String prefix, String setup) throws SQLException {
    connection = DriverManager.getConnection(LockFactsTest.databaseUrl());
    name = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Statement s = connection.createStatement()) {
      s.execute("CREATE SCHEMA " + quoted());
      s.execute(setup.formatted(quoted()));
    }
  }

  Connection connection() {
    return connection;
  }

  /** The schema's name as stored (unquoted). */
  String name() {
    return name;
  }

  String quoted() {
    return Identifiers.quote(name);
  }

  @Override
  public void close() throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + quoted() + " CASCADE");
    } finally {
      connection.close();
    }
  }
}
