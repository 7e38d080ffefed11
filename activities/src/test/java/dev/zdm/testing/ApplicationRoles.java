package dev.zdm.testing;

import dev.zdm.catalog.DescriptionFacts;
import dev.zdm.catalog.TableDescriber;
import dev.zdm.metrics.ZdmMetrics;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.Database;
import dev.zdm.postgres.DatabaseConfig;
import dev.zdm.postgres.TargetDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The roles a production table lives among: an application role that owns it, zdm's runner role
 * (a LOGIN member of the application role, not a superuser, with what it needs on the ledger) and
 * a reader role; the table's publication is the application's. Dropped on close.
 */
public final class ApplicationRoles implements AutoCloseable {
  private final TestDatabase db;
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private final String app = "zdm_t_app_" + suffix;
  private final String runner = "zdm_t_runner_" + suffix;
  private final String reader = "zdm_t_reader_" + suffix;
  private final String publication = "zdm_t_pub_" + suffix;
  private final Database runnerPool;

  public ApplicationRoles(TestDatabase db) throws SQLException {
    this.db = db;
    String schema = "\"" + db.schema() + "\"";
    db.sql("CREATE ROLE " + app, "CREATE ROLE " + runner + " LOGIN", "CREATE ROLE " + reader,
        "GRANT " + app + " TO " + runner,
        "GRANT USAGE, CREATE ON SCHEMA " + schema + " TO " + app + ", " + runner,
        "GRANT USAGE ON SCHEMA " + schema + " TO " + reader,
        // CREATE PUBLICATION needs CREATE on the database; adding a table needs owning it.
        "GRANT CREATE ON DATABASE test TO " + app,
        // zdm's own ledger, which the runner role writes.
        "GRANT ALL ON ALL TABLES IN SCHEMA " + schema + " TO " + runner,
        "GRANT ALL ON ALL SEQUENCES IN SCHEMA " + schema + " TO " + runner);
    DatabaseConfig config = DatabaseConfig.of(TestDatabase.url().replace("user=postgres", "user=" + runner))
        .withLedgerSchema(db.schema());
    runnerPool = Database.open(config, "runner-" + suffix, 4);
  }

  public String app() {
    return app;
  }

  public String reader() {
    return reader;
  }

  public String runner() {
    return runner;
  }

  public String publication() {
    return publication;
  }

  /** The real activities' database, reached as the runner role. */
  public TargetDatabase target() {
    return TargetDatabase.of(runnerPool.dataSource(), runnerPool.config(), ZdmMetrics.discarding());
  }

  /** Runs the statements as the application role, on a connection of its own. */
  public void asApp(String... statements) throws SQLException {
    try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
      statement.execute("SET search_path = \"" + db.schema() + "\"");
      statement.execute("SET ROLE " + app);
      try {
        for (String sql : statements) {
          statement.execute(sql);
        }
      } finally {
        statement.execute("RESET ROLE");
      }
    }
  }

  /**
   * What every owned-table test puts around its table, as the application: the reader may SELECT
   * it, row-level security shows the reader only the rows of {@code region = 'north'}, and the
   * table is in the application's publication. The column-level grant is the test's own.
   */
  public void shareWithReaderUnderPolicy(String table, String readerUpdatesColumn) throws SQLException {
    asApp("GRANT SELECT ON " + table + " TO " + reader,
        "GRANT UPDATE (" + readerUpdatesColumn + ") ON " + table + " TO " + reader,
        "ALTER TABLE " + table + " ENABLE ROW LEVEL SECURITY",
        "CREATE POLICY north_only ON " + table + " FOR SELECT TO " + reader + " USING (region = 'north')",
        "CREATE PUBLICATION " + publication + " FOR TABLE " + table);
  }

  /** What the reader role's query returns (a single number), row-level security applied. */
  public long asReader(String query) throws SQLException {
    try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
      statement.execute("SET search_path = \"" + db.schema() + "\"");
      statement.execute("SET ROLE " + reader);
      try (var rows = statement.executeQuery(query)) {
        rows.next();
        return rows.getLong(1);
      } finally {
        statement.execute("RESET ROLE");
      }
    }
  }

  /** The table as the catalog describes it: owner, grants, columns, indexes, policies, publications... */
  public Map<String, String> facts(String table) throws SQLException {
    try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
      // Pooled connections differ in search_path, and with it how defaults are rendered.
      statement.execute("SET search_path = pg_catalog");
      return DescriptionFacts.of(new TableDescriber(connection).describe(new TableRef(db.schema(), table))
          .orElseThrow());
    }
  }

  /** zdm's objects left in the schema or on the table: relations, functions, triggers, constraints. */
  public List<String> leftovers(String table) throws SQLException {
    String namespace = "'" + db.schema() + "'::regnamespace";
    String zdm = " ~ '^(zdm_carry_|~zdm_|_zdm_)'";
    return db.column("SELECT 'relation ' || relname FROM pg_class WHERE relnamespace = " + namespace
        + " AND relname" + zdm + " AND relname NOT LIKE '\\_zdm\\_ledger%'"
        + " UNION ALL SELECT 'function ' || proname FROM pg_proc WHERE pronamespace = " + namespace
        + " AND proname" + zdm
        + " UNION ALL SELECT 'trigger ' || tgname FROM pg_trigger WHERE tgrelid = '" + table + "'::regclass"
        + " AND NOT tgisinternal"
        + " UNION ALL SELECT 'constraint ' || conname FROM pg_constraint WHERE conrelid = '" + table
        + "'::regclass AND conname" + zdm);
  }

  @Override
  public void close() throws SQLException {
    runnerPool.close();
    db.sql("DROP PUBLICATION IF EXISTS " + publication,
        "DROP SCHEMA \"" + db.schema() + "\" CASCADE",
        "DROP OWNED BY " + app + ", " + runner + ", " + reader,
        "DROP ROLE " + reader, "DROP ROLE " + runner, "DROP ROLE " + app);
  }
}
