package dev.zdm.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.bluegreen.BlueGreenRequest;
import dev.zdm.engine.bluegreen.BlueGreenActivitiesImpl;
import dev.zdm.metrics.ZdmMetrics;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.TableRef;
import dev.zdm.testing.TestDatabase;
import io.temporal.failure.ApplicationFailure;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Row-level security never hides rows from zdm: a table with FORCE ROW LEVEL SECURITY would show
 * its own owner only the rows a policy lets through, so a copy, backfill or verification would
 * miss the rest and still report done. Every statement zdm runs refuses such a query instead.
 */
class RowSecurityTest {
  private TestDatabase db;
  private String owner;
  private Database ownerPool;

  @BeforeEach
  void setUp() throws SQLException {
    db = TestDatabase.create("row_security");
    owner = db.schema() + "_owner";
    db.sql("CREATE ROLE " + owner + " LOGIN",
        "GRANT USAGE, CREATE ON SCHEMA \"" + db.schema() + "\" TO " + owner,
        "GRANT ALL ON ALL TABLES IN SCHEMA \"" + db.schema() + "\" TO " + owner,
        "GRANT ALL ON ALL SEQUENCES IN SCHEMA \"" + db.schema() + "\" TO " + owner,
        "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA \"" + db.schema() + "\" TO " + owner,
        "SET ROLE " + owner,
        "CREATE TABLE accounts (id int PRIMARY KEY, amount int)",
        "INSERT INTO accounts SELECT g, g FROM generate_series(1, 10) g",
        "ALTER TABLE accounts ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE accounts FORCE ROW LEVEL SECURITY",
        "CREATE POLICY first_five ON accounts USING (id <= 5)",
        "RESET ROLE");
    String url = TestDatabase.url().replaceAll("user=[^&]*", "user=" + owner);
    ownerPool = Database.open(DatabaseConfig.of(url).withLedgerSchema(db.schema()), "row-security", 2);
  }

  @AfterEach
  void tearDown() throws SQLException {
    try {
      if (ownerPool != null) {
        ownerPool.close();
      }
      db.sql("DROP SCHEMA \"" + db.schema() + "\" CASCADE", "DROP OWNED BY " + owner, "DROP ROLE " + owner);
    } finally {
      db.close();
    }
  }

  @Test
  void aQueryThatRowLevelSecurityWouldFilterIsRefusedNotAnsweredWithFewerRows() throws SQLException {
    try (var connection = ownerPool.connection(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*) FROM \"" + db.schema() + "\".accounts")) {
      rows.next();
      assertThat(rows.getLong(1)).as("what the owner sees outside zdm's runner").isEqualTo(5);
    }
    TargetDatabase target = TargetDatabase.of(ownerPool.dataSource(), ownerPool.config(), ZdmMetrics.discarding());
    StatementContext context = new StatementContext("rls", "count the rows of accounts", true,
        Duration.ofMillis(200), Duration.ofSeconds(10), 1);

    assertThatThrownBy(() -> target.runner().run(context, c -> {
      try (Statement statement = c.createStatement();
          ResultSet rows = statement.executeQuery("SELECT count(*) FROM \"" + db.schema() + "\".accounts")) {
        rows.next();
        return rows.getLong(1);
      }
    })).isInstanceOfSatisfying(ApplicationFailure.class,
        refused -> assertThat(refused.isNonRetryable()).as("a refusal, not retried").isTrue())
        .hasMessageContaining("row-level security");
  }

  @Test
  void blueGreenRefusesATableWhoseRowsAreHiddenFromZdmBeforeInstallingAnything() throws SQLException {
    TargetDatabase target = TargetDatabase.of(ownerPool.dataSource(), ownerPool.config(), ZdmMetrics.discarding());
    BlueGreenRequest request = new BlueGreenRequest("rls-bg", new TableRef(db.schema(), "accounts"),
        List.of("ALTER TABLE accounts ADD COLUMN note text"), MigrationOptions.defaults());

    assertThatThrownBy(() -> new BlueGreenActivitiesImpl(target).check(request))
        .isInstanceOfSatisfying(ApplicationFailure.class, refused -> assertThat(refused.isNonRetryable()).isTrue())
        .hasMessageContaining("row-level security on");
    assertThat(db.count("SELECT count(*) FROM pg_trigger WHERE tgrelid = '\"" + db.schema()
        + "\".accounts'::regclass")).isZero();
  }
}
