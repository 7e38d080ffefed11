package dev.zdm.doctor;

import dev.zdm.error.ZdmException;
import dev.zdm.postgres.Database;
import dev.zdm.postgres.DatabaseConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The PostgreSQL side, as the role zdm connects with: server, ledger and table privileges,
 * row-level security on the table,
 * replication-lag visibility, session defaults, long transactions and the circuit breaker.
 * Read only: nothing is installed or changed.
 */
final class PostgresChecks {
  static final String SERVER = "postgresql";

  private final DatabaseConfig config;
  private final List<PostgresCheck> checks;

  PostgresChecks(DatabaseConfig config, String table, Duration longTransaction) {
    this.config = config;
    this.checks = List.of(
        new LedgerPrivilegeCheck(config.ledgerSchema()),
        new TablePrivilegeCheck(table),
        new RowSecurityCheck(table),
        new LagVisibilityCheck(),
        new SessionDefaultsCheck(),
        new LongTransactionCheck(longTransaction),
        new BreakerCheck(config));
  }

  List<DoctorCheck> run() {
    List<DoctorCheck> results = new ArrayList<>();
    Database database;
    try {
      database = Database.open(config, "zdm-doctor", 1);
    } catch (ZdmException e) {
      results.add(DoctorCheck.problem(SERVER, e.getMessage(), e.hint()));
      checks.forEach(check -> results.add(DoctorCheck.notChecked(check.name(), "PostgreSQL cannot be used.")));
      return results;
    }
    try (database; Connection connection = database.connection()) {
      results.add(runSafely(new ServerVersionCheck(config), connection));
      for (PostgresCheck check : checks) {
        results.add(runSafely(check, connection));
      }
    } catch (SQLException e) {
      throw Database.failure(config, e);
    }
    return results;
  }

  /** A query that fails leaves its check unmade, not the others. */
  private static DoctorCheck runSafely(PostgresCheck check, Connection connection) {
    try {
      return check.run(connection);
    } catch (SQLException e) {
      return DoctorCheck.notChecked(check.name(), "the check's query failed: " + e.getMessage());
    }
  }
}
