package dev.zdm.cli;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * The one connection a read-only command ({@code zdm analyze}, {@code zdm plan}) opens to the
 * database named by {@code --database-url} or ZDM_DATABASE_URL; the password only from
 * ZDM_DATABASE_PASSWORD, never from a flag.
 */
final class TargetConnection {
  private TargetConnection() {}

  /** The flag's URL, else the environment's; null when neither names a database. */
  static String url(String flag) {
    String url = flag != null ? flag : System.getenv("ZDM_DATABASE_URL");
    return url == null || url.isBlank() ? null : url;
  }

  static Connection open(String url) {
    String user = System.getenv("ZDM_DATABASE_USER");
    String password = System.getenv("ZDM_DATABASE_PASSWORD");
    try {
      return user == null
          ? DriverManager.getConnection(url)
          : DriverManager.getConnection(url, user, password);
    } catch (SQLException e) {
      throw new ZdmException(ErrorCode.UNREACHABLE,
          "cannot connect to the database given by --database-url / ZDM_DATABASE_URL ("
              + e.getSQLState() + ")", "check the URL; the password goes in ZDM_DATABASE_PASSWORD");
    }
  }
}
