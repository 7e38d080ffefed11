package dev.zdm.doctor;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Transactions open for longer than the limit in this database: zdm's DDL would time out on the
 * locks they hold (and retry), and concurrent index builds wait for every one of them to end.
 */
final class LongTransactionCheck implements PostgresCheck {
  static final String NAME = "long-transactions";
  static final int SHOWN = 10;

  private static final String SQL =
      """
      SELECT pid, usename, state, floor(EXTRACT(EPOCH FROM now() - xact_start))::bigint,
             left(regexp_replace(query, '\\s+', ' ', 'g'), 60)
        FROM pg_stat_activity
       WHERE datname = current_database()
         AND pid <> pg_backend_pid()
         AND backend_type = 'client backend'
         AND xact_start < now() - make_interval(secs => ?)
       ORDER BY xact_start
      """;

  private final Duration limit;

  LongTransactionCheck(Duration limit) {
    this.limit = limit;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public DoctorCheck run(Connection connection) throws SQLException {
    List<String> found = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(SQL)) {
      statement.setDouble(1, limit.toMillis() / 1000.0);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          found.add("pid " + rows.getInt(1) + " (" + rows.getString(2) + ", " + rows.getString(3) + ", open "
              + rows.getLong(4) + " s: " + rows.getString(5) + ")");
        }
      }
    }
    if (!found.isEmpty()) {
      List<String> shown = found.subList(0, Math.min(SHOWN, found.size()));
      return DoctorCheck.problem(NAME,
          found.size() + " transaction(s) open longer than " + limit.toSeconds() + " s would hold up DDL now: "
              + String.join("; ", shown) + (found.size() > SHOWN ? "; ..." : "") + ".",
          "End them (COMMIT / ROLLBACK in their application, or SELECT pg_terminate_backend(pid)) before a"
              + " migration's DDL step; zdm retries lock timeouts meanwhile.");
    }
    if (!LagVisibilityCheck.seesAllSessions(connection)) {
      // Other roles' rows show xact_start as NULL: an empty answer proves nothing about them.
      return DoctorCheck.notChecked(NAME,
          "No transaction of this role is open longer than " + limit.toSeconds()
              + " s; other roles' transactions are hidden without pg_read_all_stats.");
    }
    return DoctorCheck.ok(NAME, "No transaction open longer than " + limit.toSeconds() + " s in this database.");
  }
}
