package dev.zdm.testing;

import dev.zdm.ledger.Ledger;
import dev.zdm.metrics.ZdmMetrics;
import dev.zdm.postgres.Database;
import dev.zdm.postgres.DatabaseConfig;
import dev.zdm.postgres.Identifiers;
import dev.zdm.postgres.TargetDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** A throw-away schema in the test PostgreSQL with zdm's ledger installed; dropped on close. */
public final class TestDatabase implements AutoCloseable {
  public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  private final String schema = "zdm_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private final Database database;
  private final TargetDatabase target;

  public TestDatabase() throws SQLException {
    DatabaseConfig config = DatabaseConfig.of(url()).withLedgerSchema(schema);
    database = Database.open(config, "test-" + schema, 12);
    sql("CREATE SCHEMA " + Identifiers.quote(schema));
    new Ledger(database.dataSource(), schema).install();
    target = TargetDatabase.of(database.dataSource(), config, ZdmMetrics.discarding());
  }

  public static String url() {
    String property = System.getProperty("zdm.test.databaseUrl");
    if (property != null && !property.isBlank()) {
      return property;
    }
    String env = System.getenv("ZDM_TEST_DATABASE_URL");
    return env != null && !env.isBlank() ? env : DEFAULT_URL;
  }

  public String schema() {
    return schema;
  }

  public TargetDatabase target() {
    return target;
  }

  public Connection connection() throws SQLException {
    return database.connection();
  }

  /** Runs statements with {@code search_path} set to the test schema. */
  public void sql(String... statements) throws SQLException {
    try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
      statement.execute("SET search_path = " + Identifiers.quote(schema) + ", public");
      for (String sql : statements) {
        statement.execute(sql);
      }
      statement.execute("RESET search_path");
    }
  }

  /** The first column of every row of a query, as text. */
  public List<String> column(String query) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
      statement.execute("SET search_path = " + Identifiers.quote(schema) + ", public");
      try (ResultSet rows = statement.executeQuery(query)) {
        while (rows.next()) {
          values.add(rows.getString(1));
        }
      }
      statement.execute("RESET search_path");
    }
    return values;
  }

  public String value(String query) throws SQLException {
    List<String> values = column(query);
    return values.isEmpty() ? null : values.get(0);
  }

  public long count(String query) throws SQLException {
    return Long.parseLong(value(query));
  }

  @Override
  public void close() throws SQLException {
    try {
      try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
        statement.execute("DROP SCHEMA IF EXISTS " + Identifiers.quote(schema) + " CASCADE");
      }
    } finally {
      database.close();
    }
  }
}
