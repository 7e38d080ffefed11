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
import javax.sql.DataSource;

/**
 * A test's own schema in the tests' PostgreSQL ({@link TestPostgres} chooses it), with zdm's
 * ledger in it; dropped on close, so tests run in any order and leave nothing behind.
 */
public final class TestDatabase implements AutoCloseable {
  private final String schema;
  private final DatabaseConfig config;
  private final Database database;
  private final TargetDatabase target;

  private TestDatabase(String schema, DatabaseConfig config, Database database, TargetDatabase target) {
    this.schema = schema;
    this.config = config;
    this.database = database;
    this.target = target;
  }

  /** The tests' PostgreSQL, as a superuser: every test and helper connects through this. */
  public static String url() {
    return TestPostgres.chosen().url();
  }

  public static TestDatabase create(String purpose) {
    return create(purpose, url());
  }

  /** In the PostgreSQL at {@code url} (a superuser's), e.g. one the test restarts. */
  public static TestDatabase create(String purpose, String url) {
    String schema = "zdm_test_" + purpose.toLowerCase().replaceAll("[^a-z0-9]", "_") + "_"
        + UUID.randomUUID().toString().substring(0, 8);
    DatabaseConfig config = DatabaseConfig.of(url).withLedgerSchema(schema);
    Database database = Database.open(config, "test-" + schema, 8);
    try {
      try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
        statement.execute("CREATE SCHEMA " + Identifiers.quote(schema));
      }
      new Ledger(database.dataSource(), schema).install();
    } catch (SQLException e) {
      database.close();
      throw new IllegalStateException("cannot prepare test schema " + schema + ": " + e.getMessage(), e);
    }
    return new TestDatabase(schema, config, database,
        TargetDatabase.of(database.dataSource(), config, ZdmMetrics.discarding()));
  }

  public String schema() {
    return schema;
  }

  public DatabaseConfig config() {
    return config;
  }

  public DataSource dataSource() {
    return database.dataSource();
  }

  public TargetDatabase target() {
    return target;
  }

  public Connection connection() throws SQLException {
    return database.connection();
  }

  /**
   * A transaction with a snapshot older than any statement started after it, having read
   * {@code table} of the test schema: CREATE INDEX CONCURRENTLY waits for it to end. The caller
   * commits or closes it.
   */
  public Connection oldTransaction(String table) throws SQLException {
    Connection holder = connection();
    holder.setAutoCommit(false);
    holder.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    try (Statement statement = holder.createStatement()) {
      statement.execute("SELECT count(*) FROM " + Identifiers.quote(schema) + "." + Identifiers.quote(table));
    }
    return holder;
  }

  /** Runs SQL with {@code {schema}} replaced by the quoted test schema. */
  public void execute(String sql) {
    try (Connection connection = connection(); Statement statement = connection.createStatement()) {
      statement.execute(sql.replace("{schema}", Identifiers.quote(schema)));
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  public long queryLong(String sql) {
    try (Connection connection = connection(); Statement statement = connection.createStatement();
        var row = statement.executeQuery(sql.replace("{schema}", Identifiers.quote(schema)))) {
      row.next();
      return row.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  public String queryString(String sql) {
    try (Connection connection = connection(); Statement statement = connection.createStatement();
        var row = statement.executeQuery(sql.replace("{schema}", Identifiers.quote(schema)))) {
      return row.next() ? row.getString(1) : null;
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** Runs statements with {@code search_path} set to the test schema, so names need no schema. */
  public void sql(String... statements) throws SQLException {
    try (Connection connection = connection(); Statement statement = connection.createStatement()) {
      statement.execute("SET search_path = " + Identifiers.quote(schema) + ", public");
      for (String sql : statements) {
        statement.execute(sql);
      }
      statement.execute("RESET search_path");
    }
  }

  /** The first column of every row of a query run with the test schema on the search path. */
  public List<String> column(String query) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Connection connection = connection(); Statement statement = connection.createStatement()) {
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
  public void close() {
    try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
      statement.execute("DROP SCHEMA IF EXISTS " + Identifiers.quote(schema) + " CASCADE");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop test schema " + schema + ": " + e.getMessage(), e);
    } finally {
      database.close();
    }
  }
}
