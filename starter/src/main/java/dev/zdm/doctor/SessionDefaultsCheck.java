package dev.zdm.doctor;

import dev.zdm.postgres.Identifiers;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What a session of zdm's role starts with: lock_timeout and statement_timeout (and where they
 * come from), and whether it can write at all (a standby, or default_transaction_read_only).
 * zdm sets both timeouts on every statement it runs, so their defaults are reported, not judged.
 */
final class SessionDefaultsCheck implements PostgresCheck {
  static final String NAME = "session-defaults";

  private static final String SQL =
      """
      SELECT max(setting) FILTER (WHERE name = 'lock_timeout'),
             max(source) FILTER (WHERE name = 'lock_timeout'),
             max(setting) FILTER (WHERE name = 'statement_timeout'),
             max(source) FILTER (WHERE name = 'statement_timeout'),
             max(setting) FILTER (WHERE name = 'default_transaction_read_only'),
             pg_is_in_recovery(),
             current_user
        FROM pg_settings
       WHERE name IN ('lock_timeout', 'statement_timeout', 'default_transaction_read_only')
      """;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public DoctorCheck run(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(SQL)) {
      row.next();
      String role = row.getString(7);
      if (row.getBoolean(6)) {
        return DoctorCheck.problem(NAME, "The server is a standby (in recovery): zdm cannot change anything there.",
            "Point ZDM_DATABASE_URL at the primary.");
      }
      if ("on".equals(row.getString(5))) {
        return DoctorCheck.problem(NAME, "Sessions of role " + role + " are read-only (default_transaction_read_only = on).",
            "ALTER ROLE " + Identifiers.quote(role) + " SET default_transaction_read_only = off;");
      }
      String lockTimeout = row.getString(1);
      String detail = "Role " + role + " starts with lock_timeout = " + millis(lockTimeout) + " (" + row.getString(2)
          + "), statement_timeout = " + millis(row.getString(3)) + " (" + row.getString(4)
          + "); zdm sets its own on every statement it runs.";
      if ("0".equals(lockTimeout)) {
        return DoctorCheck.ok(NAME, detail,
            "Statements run by hand as " + role + " wait for locks without limit: ALTER ROLE "
                + Identifiers.quote(role) + " SET lock_timeout = '2s';");
      }
      return DoctorCheck.ok(NAME, detail);
    }
  }

  /** pg_settings gives both timeouts in milliseconds; 0 means none. */
  private static String millis(String setting) {
    return "0".equals(setting) ? "none" : setting + "ms";
  }
}
