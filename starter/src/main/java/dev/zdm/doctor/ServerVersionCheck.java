package dev.zdm.doctor;

import dev.zdm.postgres.DatabaseConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The server answers and is a version zdm's lock rules cover (12 and later). */
final class ServerVersionCheck implements PostgresCheck {
  static final int OLDEST_SUPPORTED = 120000;

  private static final String SQL =
      """
      SELECT current_setting('server_version_num')::int, current_setting('server_version'),
             current_user, current_database()
      """;

  private final DatabaseConfig config;

  ServerVersionCheck(DatabaseConfig config) {
    this.config = config;
  }

  @Override
  public String name() {
    return PostgresChecks.SERVER;
  }

  @Override
  public DoctorCheck run(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(SQL)) {
      row.next();
      String seen = "PostgreSQL " + row.getString(2) + " at " + config.safeUrl() + ", database "
          + row.getString(4) + ", role " + row.getString(3);
      if (row.getInt(1) < OLDEST_SUPPORTED) {
        return DoctorCheck.problem(name(), seen + ": older than 12, which zdm's lock rules do not cover.",
            "Upgrade PostgreSQL to 12 or later.");
      }
      return DoctorCheck.ok(name(), seen + ".");
    }
  }
}
