package dev.zdm.doctor;

import dev.zdm.ledger.BreakerState;
import dev.zdm.ledger.CircuitBreaker;
import dev.zdm.ledger.Ledger;
import dev.zdm.postgres.DatabaseConfig;
import dev.zdm.postgres.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The database's circuit breaker is not open (an open one stops every migration's DDL). */
final class BreakerCheck implements PostgresCheck {
  static final String NAME = "breaker";

  private final DatabaseConfig config;

  BreakerCheck(DatabaseConfig config) {
    this.config = config;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public DoctorCheck run(Connection connection) throws SQLException {
    String schema = config.ledgerSchema();
    if (!breakerTableExists(connection, schema)) {
      return DoctorCheck.ok(NAME, "No ledger in schema " + schema + " yet, so no breaker has tripped.");
    }
    // The ledger here only names the table: the state is read on this connection, nothing installed.
    CircuitBreaker breaker = new CircuitBreaker(new Ledger(null, schema), config.breakerName());
    BreakerState state = breaker.state(connection);
    if (state == null) {
      return DoctorCheck.ok(NAME, "Breaker " + config.breakerName() + " has never recorded a failure.");
    }
    if (state.isOpen()) {
      return DoctorCheck.problem(NAME,
          "Breaker " + state.name() + " is open since " + state.openedAt() + " after " + state.failureCount()
              + " failures (last: " + state.lastError() + "): migrations' DDL is refused.",
          "Fix the cause, then `zdm breaker reset`.");
    }
    return DoctorCheck.ok(NAME, "Breaker " + state.name() + " is " + state.state() + " (" + state.failureCount()
        + " of " + state.failureThreshold() + " failures).");
  }

  private static boolean breakerTableExists(Connection connection, String schema) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      statement.setString(1, Identifiers.quote(schema) + "._migration_circuit_breakers");
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        return row.getBoolean(1);
      }
    }
  }
}
