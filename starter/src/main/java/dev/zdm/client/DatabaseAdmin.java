package dev.zdm.client;

import dev.zdm.ledger.BreakerState;
import dev.zdm.ledger.CircuitBreaker;
import dev.zdm.ledger.Ledger;
import dev.zdm.postgres.Database;
import dev.zdm.postgres.DatabaseConfig;
import java.sql.Connection;
import java.sql.SQLException;

/** The commands that talk to the target database itself: bootstrap and the circuit breaker. */
public final class DatabaseAdmin implements AutoCloseable {
  private final Database database;
  private final Ledger ledger;
  private final CircuitBreaker breaker;

  private DatabaseAdmin(Database database) {
    this.database = database;
    this.ledger = new Ledger(database.dataSource(), database.config().ledgerSchema());
    this.breaker = new CircuitBreaker(ledger, database.config().breakerName());
  }

  public static DatabaseAdmin open(DatabaseConfig config) {
    return new DatabaseAdmin(Database.open(config, "zdm-cli", 1));
  }

  public BootstrapResult bootstrap() {
    try {
      int before = ledger.install();
      return new BootstrapResult(
          database.config().safeUrl(), ledger.schema(), before, Math.max(before, Ledger.CURRENT_VERSION));
    } catch (SQLException e) {
      throw Database.failure(database.config(), e);
    }
  }

  public BreakerState breakerStatus() {
    try {
      // The ledger first: the pool has one connection, and install takes it for itself.
      ledger.install();
      try (Connection connection = database.connection()) {
        return breaker.state(connection);
      }
    } catch (SQLException e) {
      throw Database.failure(database.config(), e);
    }
  }

  public BreakerState breakerReset() {
    try {
      // The ledger first: the pool has one connection, and install takes it for itself.
      ledger.install();
      try (Connection connection = database.connection()) {
        return breaker.reset(connection);
      }
    } catch (SQLException e) {
      throw Database.failure(database.config(), e);
    }
  }

  @Override
  public void close() {
    database.close();
  }
}
