package dev.zdm.analysis;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.postgres.DatabaseConfig;
import dev.zdm.postgres.Identifiers;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * A database of its own, created on a PostgreSQL server zdm is allowed to use for scratch work
 * ({@code zdm analyze --schema/--trace}) and dropped when closed: the schema is loaded and the
 * migrations are traced there, never on the database the URL names.
 */
public final class ScratchDatabase implements AutoCloseable {
  /** Hosts that are this machine: a scratch database there touches no shared server. */
  private static final Set<String> LOCAL_HOSTS = Set.of("localhost", "127.0.0.1", "::1", "[::1]");
  private static final String NAME_PREFIX = "zdm_scratch_";

  private final DatabaseConfig server;
  private final String name;
  private final String jdbcUrl;

  private ScratchDatabase(DatabaseConfig server, String name) {
    this.server = server;
    this.name = name;
    this.jdbcUrl = withDatabase(server.jdbcUrl(), name);
  }

  /**
   * Creates a scratch database on the server {@code server} names.
   *
   * @param allowRemote false refuses a server that is not on this machine (BAD_INPUT)
   */
  public static ScratchDatabase create(DatabaseConfig server, boolean allowRemote) {
    if (!allowRemote && !isLocal(server.jdbcUrl())) {
      throw ZdmException.badInput("zdm analyze: --schema/--trace create a scratch database, and "
          + server.safeUrl() + " is not on this machine; name a local server with --database-url,"
          + " or pass --scratch-url to allow that one");
    }
    String name = NAME_PREFIX + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection admin = connect(server, server.jdbcUrl());
        Statement s = admin.createStatement()) {
      s.execute("CREATE DATABASE " + Identifiers.quote(name));
    } catch (SQLException e) {
      throw new ZdmException(ErrorCode.UNREACHABLE, "zdm analyze: cannot create a scratch database"
          + " on " + server.safeUrl() + " (" + e.getSQLState() + ": " + e.getMessage() + ")",
          "the user needs CREATEDB on that server", e);
    }
    return new ScratchDatabase(server, name);
  }

  /** A new session on the scratch database. */
  public Connection connect() throws SQLException {
    return connect(server, jdbcUrl);
  }

  public String name() {
    return name;
  }

  @Override
  public void close() {
    try (Connection admin = connect(server, server.jdbcUrl());
        Statement s = admin.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + Identifiers.quote(name) + " WITH (FORCE)");
    } catch (SQLException e) {
      throw new ZdmException(ErrorCode.UNREACHABLE, "zdm analyze: could not drop the scratch"
          + " database " + name + " (" + e.getSQLState() + "): drop it by hand", null, e);
    }
  }

  static boolean isLocal(String jdbcUrl) {
    try {
      URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
      String host = uri.getHost() == null ? "localhost" : uri.getHost().toLowerCase(Locale.ROOT);
      return LOCAL_HOSTS.contains(host);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The same server URL with another database: {@code jdbc:postgresql://h:p/OTHER?params}. */
  static String withDatabase(String jdbcUrl, String database) {
    int scheme = jdbcUrl.indexOf("//");
    int slash = jdbcUrl.indexOf('/', scheme + 2);
    int query = jdbcUrl.indexOf('?');
    String params = query < 0 ? "" : jdbcUrl.substring(query);
    String hosts = slash < 0 ? (query < 0 ? jdbcUrl : jdbcUrl.substring(0, query))
        : jdbcUrl.substring(0, slash);
    return hosts + "/" + database + params;
  }

  private static Connection connect(DatabaseConfig server, String url) throws SQLException {
    return server.user() == null ? DriverManager.getConnection(url)
        : DriverManager.getConnection(url, server.user(), server.password());
  }
}
