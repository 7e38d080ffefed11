package dev.zdm.postgres;

import dev.zdm.error.ZdmException;
import java.net.URI;
import java.util.Map;

/**
 * Where the target database is and where zdm keeps its ledger there; validated here once, so the
 * rest of the code can trust it. The password is never part of {@link #toString()}.
 */
public record DatabaseConfig(
    String jdbcUrl, String user, String password, String ledgerSchema, String breakerName) {

  public static final String DEFAULT_JDBC_URL = "jdbc:postgresql://localhost:5432/postgres";
  public static final String DEFAULT_LEDGER_SCHEMA = "public";
  /** The guide's breaker name, so its circuit-breaker queries work unchanged. */
  public static final String DEFAULT_BREAKER_NAME = "migration_executor";

  public static final String ENV_URL = "ZDM_DATABASE_URL";
  public static final String ENV_USER = "ZDM_DATABASE_USER";
  public static final String ENV_PASSWORD = "ZDM_DATABASE_PASSWORD";
  public static final String ENV_LEDGER_SCHEMA = "ZDM_LEDGER_SCHEMA";

  public DatabaseConfig {
    jdbcUrl = toJdbcUrl(jdbcUrl == null || jdbcUrl.isBlank() ? DEFAULT_JDBC_URL : jdbcUrl.strip());
    ledgerSchema =
        ledgerSchema == null || ledgerSchema.isBlank() ? DEFAULT_LEDGER_SCHEMA : ledgerSchema;
    breakerName = breakerName == null || breakerName.isBlank() ? DEFAULT_BREAKER_NAME : breakerName;
    user = user == null || user.isBlank() ? null : user;
    password = password == null || password.isEmpty() ? null : password;
  }

  public static DatabaseConfig of(String jdbcUrl) {
    return new DatabaseConfig(jdbcUrl, null, null, null, null);
  }

  /** From ZDM_DATABASE_URL / _USER / _PASSWORD and ZDM_LEDGER_SCHEMA; flags override later. */
  public static DatabaseConfig fromEnvironment(Map<String, String> env) {
    return new DatabaseConfig(
        env.get(ENV_URL), env.get(ENV_USER), env.get(ENV_PASSWORD), env.get(ENV_LEDGER_SCHEMA), null);
  }

  public DatabaseConfig withUrl(String url) {
    return new DatabaseConfig(url, user, password, ledgerSchema, breakerName);
  }

  public DatabaseConfig withLedgerSchema(String schema) {
    return new DatabaseConfig(jdbcUrl, user, password, schema, breakerName);
  }

  /** The URL without any password, for messages and logs. */
  public String safeUrl() {
    return jdbcUrl.replaceAll("(?i)(password=)[^&]*", "$1***");
  }

  @Override
  public String toString() {
    return "DatabaseConfig[" + safeUrl() + ", user=" + user + ", ledgerSchema=" + ledgerSchema + "]";
  }

  /** Accepts libpq-style {@code postgresql://user:pw@host:port/db} as well as JDBC URLs. */
  private static String toJdbcUrl(String url) {
    if (url.startsWith("jdbc:postgresql:")) {
      return url;
    }
    if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
      URI uri = URI.create(url.replaceFirst("^postgres(ql)?://", "http://"));
      StringBuilder jdbc =
          new StringBuilder("jdbc:postgresql://")
              .append(uri.getHost() == null ? "localhost" : uri.getHost())
              .append(':')
              .append(uri.getPort() < 0 ? 5432 : uri.getPort())
              .append(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/postgres" : uri.getRawPath());
      String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
      if (uri.getRawUserInfo() != null) {
        String[] userInfo = uri.getRawUserInfo().split(":", 2);
        query = (query.isEmpty() ? "" : query + "&") + "user=" + userInfo[0];
        if (userInfo.length == 2) {
          query += "&password=" + userInfo[1];
        }
      }
      return query.isEmpty() ? jdbc.toString() : jdbc + "?" + query;
    }
    throw ZdmException.badInput(
        "database URL '"
            + url.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("//([^:/@]+):[^@]*@", "//$1:***@")
            + "' is neither jdbc:postgresql://... nor postgresql://...");
  }
}
