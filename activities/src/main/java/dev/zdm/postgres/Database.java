package dev.zdm.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** A pooled connection to the target database, checked on open so a bad URL fails at once. */
public final class Database implements AutoCloseable {
  public static final int DEFAULT_POOL_SIZE = 5;
  public static final long CONNECT_TIMEOUT_MILLIS = 5_000;
  public static final String APPLICATION_NAME = "zdm";
  /** SQLSTATE class 28: invalid authorization (bad password, no such role, pg_hba refusal). */
  private static final String SQLSTATE_AUTHORIZATION = "28";
  private static final String SQLSTATE_INSUFFICIENT_PRIVILEGE = "42501";
  private static final String SQLSTATE_NO_SUCH_DATABASE = "3D000";

  private final DatabaseConfig config;
  private final HikariDataSource dataSource;

  private Database(DatabaseConfig config, HikariDataSource dataSource) {
    this.config = config;
    this.dataSource = dataSource;
  }

  public static Database open(DatabaseConfig config, String poolName, int poolSize) {
    return open(config, poolName, poolSize, null);
  }

  /**
   * A pool whose connections, waits and timeouts are reported to {@code metrics} (the worker's
   * Prometheus registry: {@code hikaricp_connections_*}); null for none.
   */
  public static Database open(
      DatabaseConfig config, String poolName, int poolSize, MeterRegistry metrics) {
    HikariConfig hikari = new HikariConfig();
    if (metrics != null) {
      hikari.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(metrics));
    }
    hikari.setPoolName(poolName);
    hikari.setJdbcUrl(config.jdbcUrl());
    if (config.user() != null) {
      hikari.setUsername(config.user());
    }
    if (config.password() != null) {
      hikari.setPassword(config.password());
    }
    hikari.setMaximumPoolSize(poolSize);
    hikari.setMinimumIdle(0);
    hikari.setConnectionTimeout(CONNECT_TIMEOUT_MILLIS);
    hikari.setInitializationFailTimeout(CONNECT_TIMEOUT_MILLIS);
    hikari.addDataSourceProperty("ApplicationName", APPLICATION_NAME);
    hikari.addDataSourceProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT_MILLIS / 1000));
    try {
      return new Database(config, new HikariDataSource(hikari));
    } catch (RuntimeException e) {
      throw failure(config, e);
    }
  }

  /**
   * What went wrong talking to PostgreSQL, as the error the CLI maps to an exit code: a login
   * PostgreSQL refused or a missing privilege is refused (exit 1, with what to grant), a database
   * that does not exist is bad input (exit 2), and only a server that cannot be reached is
   * unreachable (exit 3).
   */
  public static ZdmException failure(DatabaseConfig config, Throwable cause) {
    Throwable root = cause;
    String sqlState = null;
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null && sqlState == null) {
        sqlState = sql.getSQLState();
      }
      root = t;
    }
    String reason = root.getMessage();
    if (sqlState != null && sqlState.startsWith(SQLSTATE_AUTHORIZATION)) {
      return new ZdmException(ErrorCode.REFUSED,
          "PostgreSQL at " + config.safeUrl() + " refused the login: " + reason,
          "Check ZDM_DATABASE_USER / ZDM_DATABASE_PASSWORD (or the URL's user) and pg_hba.conf.",
          cause);
    }
    if (SQLSTATE_INSUFFICIENT_PRIVILEGE.equals(sqlState)) {
      return new ZdmException(ErrorCode.REFUSED,
          "PostgreSQL at " + config.safeUrl() + " refused: " + reason,
          "Grant zdm's role what the message names (CREATE on the ledger schema, ownership of the"
              + " table it changes), or run zdm as a role that has it.",
          cause);
    }
    if (SQLSTATE_NO_SUCH_DATABASE.equals(sqlState)) {
      return new ZdmException(ErrorCode.BAD_INPUT,
          "PostgreSQL at " + config.safeUrl() + " has no such database: " + reason,
          "Check the database name in ZDM_DATABASE_URL (or --database-url).",
          cause);
    }
    return new ZdmException(
        ErrorCode.UNREACHABLE,
        "PostgreSQL at " + config.safeUrl() + " cannot be reached: " + reason,
        "Check that PostgreSQL is running and ZDM_DATABASE_URL (or --database-url) names it.",
        cause);
  }

  public DataSource dataSource() {
    return dataSource;
  }

  public DatabaseConfig config() {
    return config;
  }

  public Connection connection() throws SQLException {
    return dataSource.getConnection();
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
