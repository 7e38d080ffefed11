package dev.zdm.analysis;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * A second session on the test server that looks at what another backend holds (pg_locks) and
 * tries what the application would do (read or write under a short lock_timeout).
 */
final class ServerProbe implements AutoCloseable {
  private static final String PROBE_LOCK_TIMEOUT = "150ms";
  private final Connection connection;

  ServerProbe() throws SQLException {
    connection = DriverManager.getConnection(LockFactsTest.databaseUrl());
  }

  static int pid(Connection connection) throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet rows = s.executeQuery("SELECT pg_backend_pid()")) {
      rows.next();
      return rows.getInt(1);
    }
  }

  /** The strongest table-level lock {@code pid} holds on each relation, by qualified name. */
  Map<String, LockMode> locksHeldBy(int pid) throws SQLException {
    String query = """
        SELECT n.nspname || '.' || c.relname, l.mode
          FROM pg_locks l
          JOIN pg_class c ON c.oid = l.relation
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE l.pid = ? AND l.locktype = 'relation' AND l.granted
        """;
    Map<String, LockMode> held = new HashMap<>();
    try (PreparedStatement s = connection.prepareStatement(query)) {
      s.setInt(1, pid);
      try (ResultSet rows = s.executeQuery()) {
        while (rows.next()) {
          held.merge(rows.getString(1), LockMode.fromPgName(rows.getString(2)), LockMode::strongest);
        }
      }
    }
    return held;
  }

  /** True when {@code sql} (a read or a write) gets its locks within the probe's lock_timeout. */
  boolean runsWithoutWaiting(String sql) throws SQLException {
    connection.setAutoCommit(false);
    try (Statement s = connection.createStatement()) {
      s.execute("SET LOCAL lock_timeout = '" + PROBE_LOCK_TIMEOUT + "'");
      s.execute(sql);
      return true;
    } catch (SQLException e) {
      if ("55P03".equals(e.getSQLState())) {
        return false;
      }
      throw e;
    } finally {
      connection.rollback();
      connection.setAutoCommit(true);
    }
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
