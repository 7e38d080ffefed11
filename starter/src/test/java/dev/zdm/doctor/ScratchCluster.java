package dev.zdm.doctor;

import dev.zdm.postgres.DatabaseConfig;
import dev.zdm.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scratch database on the test PostgreSQL and the roles a test makes there, all dropped on
 * close: the doctor's checks look at the whole database (long transactions) and at roles.
 */
final class ScratchCluster implements AutoCloseable {
  private static final Pattern URL = Pattern.compile("jdbc:postgresql://([^/?]+)/([^?]*)(?:\\?(.*))?");
  static final String PASSWORD = "doctor";

  private final String adminUrl;
  final String database;
  private final List<String> roles = new ArrayList<>();

  private ScratchCluster(String adminUrl, String database) {
    this.adminUrl = adminUrl;
    this.database = database;
  }

  static ScratchCluster create() throws SQLException {
    String admin = TestDatabase.url();
    String database = "zdm_doctor_" + UUID.randomUUID().toString().substring(0, 8);
    try (Connection connection = DriverManager.getConnection(admin); Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + database);
    }
    return new ScratchCluster(admin, database);
  }

  /** A login role with no privileges beyond PUBLIC's; dropped with the cluster. */
  String role(String purpose) throws SQLException {
    String role = "zdm_doctor_" + purpose + "_" + UUID.randomUUID().toString().substring(0, 6);
    roles.add(role);
    asAdmin("CREATE ROLE " + role + " LOGIN PASSWORD '" + PASSWORD + "'");
    return role;
  }

  /** A role that cannot log in, to own things. */
  String owner(String purpose) throws SQLException {
    String role = "zdm_doctor_" + purpose + "_" + UUID.randomUUID().toString().substring(0, 6);
    roles.add(role);
    asAdmin("CREATE ROLE " + role + " NOLOGIN");
    return role;
  }

  /** Runs statements in the scratch database as the test's (superuser) login. */
  void asAdmin(String... sql) throws SQLException {
    try (Connection connection = adminConnection(); Statement statement = connection.createStatement()) {
      for (String each : sql) {
        statement.execute(each);
      }
    }
  }

  Connection adminConnection() throws SQLException {
    return DriverManager.getConnection(url(null));
  }

  DatabaseConfig config(String role, String ledgerSchema) {
    return DatabaseConfig.of(url(role)).withLedgerSchema(ledgerSchema);
  }

  /** The test URL pointed at the scratch database, as {@code role} when not null. */
  String url(String role) {
    Matcher url = URL.matcher(adminUrl);
    if (!url.matches()) {
      throw new IllegalStateException("not a jdbc:postgresql URL: " + adminUrl);
    }
    String params = url.group(3) == null ? "" : url.group(3);
    if (role != null) {
      params = params.replaceAll("(?i)(^|&)(user|password)=[^&]*", "").replaceFirst("^&", "");
      params = (params.isEmpty() ? "" : params + "&") + "user=" + role + "&password=" + PASSWORD;
    }
    return "jdbc:postgresql://" + url.group(1) + "/" + database + (params.isEmpty() ? "" : "?" + params);
  }

  @Override
  public void close() throws SQLException {
    try (Connection connection = DriverManager.getConnection(adminUrl); Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      for (String role : roles) {
        statement.execute("DROP ROLE IF EXISTS " + role);
      }
    }
  }
}
