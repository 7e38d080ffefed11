package dev.zdm.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * The database's circuit breaker, kept in the ledger through the guide's {@code
 * update_circuit_breaker}: consulted before every zdm statement and told the outcome after it.
 */
public final class CircuitBreaker {
  private final Ledger ledger;
  private final String name;

  public CircuitBreaker(Ledger ledger, String name) {
    this.ledger = ledger;
    this.name = name;
  }

  public String name() {
    return name;
  }

  public boolean isOpen(Connection connection) throws SQLException {
    BreakerState state = state(connection);
    return state != null && state.isOpen();
  }

  /** Returns the state after recording. */
  public String record(Connection connection, boolean success, String error) throws SQLException {
    String sql = "SELECT " + ledger.qualified("update_circuit_breaker") + "(?, ?)";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, name);
      statement.setBoolean(2, success);
      try (ResultSet result = statement.executeQuery()) {
        result.next();
        String state = result.getString(1);
        if (!success && error != null) {
          rememberError(connection, error);
        }
        return state;
      }
    }
  }

  private void rememberError(Connection connection, String error) throws SQLException {
    String sql =
        """
        UPDATE %s SET last_error = left(?, 2000) WHERE breaker_name = ?
        """
            .formatted(ledger.qualified("_migration_circuit_breakers"));
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, error);
      statement.setString(2, name);
      statement.executeUpdate();
    }
  }

  /** The guide's reset procedure, for {@code zdm breaker reset}. */
  public BreakerState reset(Connection connection) throws SQLException {
    String sql =
        """
        INSERT INTO %1$s (breaker_name) VALUES (?) ON CONFLICT (breaker_name) DO NOTHING;
        """
            .formatted(ledger.qualified("_migration_circuit_breakers"));
    try (PreparedStatement insert = connection.prepareStatement(sql)) {
      insert.setString(1, name);
      insert.executeUpdate();
    }
    String update =
        """
        UPDATE %s SET state = 'closed', failure_count = 0, opened_at = NULL, updated_at = now()
         WHERE breaker_name = ?
        """
            .formatted(ledger.qualified("_migration_circuit_breakers"));
    try (PreparedStatement statement = connection.prepareStatement(update)) {
      statement.setString(1, name);
      statement.executeUpdate();
    }
    return state(connection);
  }

  /** The breaker's row, or null when it has never been used. */
  public BreakerState state(Connection connection) throws SQLException {
    String sql =
        """
        SELECT breaker_name, state, failure_count, failure_threshold, last_failure_at, opened_at,
               last_error
          FROM %s
         WHERE breaker_name = ?
        """
            .formatted(ledger.qualified("_migration_circuit_breakers"));
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, name);
      try (ResultSet row = statement.executeQuery()) {
        if (!row.next()) {
          return null;
        }
        return new BreakerState(
            row.getString(1),
            row.getString(2),
            row.getInt(3),
            row.getInt(4),
            instant(row.getTimestamp(5)),
            instant(row.getTimestamp(6)),
            row.getString(7));
      }
    }
  }

  private static Instant instant(Timestamp timestamp) {
    return timestamp == null ? null : timestamp.toInstant();
  }
}
