package dev.zdm.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** A pooled connection to the target database, checked on open so a bad URL fails at once. */
public final class Database implements AutoCloseable {
  public static final int DEFAULT_POOL_SIZE = 5;
  public static final long CONNECT_TIMEOUT_MILLIS = 5_000;
  public static final String APPLICATION_NAME = "zdm";

  private final DatabaseConfig config;
  private final HikariDataSource dataSource;

  private Database(DatabaseConfig config, HikariDataSource dataSource) {
    this.config = config;
    this.dataSource = dataSource;
  }

  public static Database open(DatabaseConfig config, String poolName, int poolSize) {
    HikariConfig hikari = new HikariConfig();
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
      throw unreachable(config, e);
    }
  }

  public static ZdmException unreachable(DatabaseConfig config, Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return new ZdmException(
        ErrorCode.UNREACHABLE,
        "PostgreSQL at " + config.safeUrl() + " cannot be reached: " + root.getMessage(),
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
