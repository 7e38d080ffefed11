package dev.zdm.doctor;

import dev.zdm.postgres.Identifiers;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The role can read replay_lag in pg_stat_replication. Without pg_read_all_stats (or superuser)
 * PostgreSQL shows it as NULL and the backfill's replication-lag throttle never slows down.
 */
final class LagVisibilityCheck implements PostgresCheck {
  static final String NAME = "replication-lag";

  private static final String SQL =
      """
      SELECT rolsuper OR pg_has_role(current_user, 'pg_read_all_stats', 'USAGE'), current_user,
             (SELECT count(*) FROM pg_stat_replication)
        FROM pg_roles
       WHERE rolname = current_user
      """;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public DoctorCheck run(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(SQL)) {
      row.next();
      String role = row.getString(2);
      String standbys = row.getLong(3) + " standby(s) connected";
      if (!row.getBoolean(1)) {
        return DoctorCheck.problem(NAME,
            "Role " + role + " reads replay_lag as NULL (" + standbys + "): the replication-lag throttle would be off.",
            "GRANT pg_read_all_stats TO " + Identifiers.quote(role) + ";");
      }
      return DoctorCheck.ok(NAME, "Role " + role + " sees replication lag (" + standbys + ").");
    }
  }

  /** Whether the role sees every session's pg_stat_activity row, not only its own. */
  static boolean seesAllSessions(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(SQL)) {
      row.next();
      return row.getBoolean(1);
    }
  }
}
