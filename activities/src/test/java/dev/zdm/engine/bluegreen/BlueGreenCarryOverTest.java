package dev.zdm.engine.bluegreen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.bluegreen.BlueGreenRequest;
import dev.zdm.bluegreen.BlueGreenWorkflow;
import dev.zdm.bluegreen.BlueGreenWorkflowImpl;
import dev.zdm.catalog.DescriptionFacts;
import dev.zdm.catalog.FidelityDiff;
import dev.zdm.catalog.TableDescriber;
import dev.zdm.engine.activities.DdlActivitiesImpl;
import dev.zdm.engine.backfill.BackfillActivitiesImpl;
import dev.zdm.metrics.ZdmMetrics;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.TableRef;
import dev.zdm.model.WaitingFor;
import dev.zdm.postgres.Database;
import dev.zdm.postgres.DatabaseConfig;
import dev.zdm.postgres.TargetDatabase;
import dev.zdm.testing.TemporalTestEnv;
import dev.zdm.testing.TestDatabase;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Blue-green carries the table over, on PostgreSQL: the table belongs to an application role while
 * zdm runs as another role (a member of it), a reader sees its rows through a row-level security
 * policy and may update one column, the table is in a publication, has a NOT VALID check that
 * legacy rows violate, a fillfactor, replica identity FULL, comments and a serial key. After the
 * switch and the drop of the old table its description is the original's, apart from the one
 * change the migration asked for.
 */
class BlueGreenCarryOverTest {
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private final String app = "zdm_t_app_" + suffix;
  private final String runner = "zdm_t_runner_" + suffix;
  private final String reader = "zdm_t_reader_" + suffix;
  private final String publication = "zdm_t_pub_" + suffix;

  private TestDatabase db;
  private Database runnerPool;
  private TemporalTestEnv temporal;

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabase.create("carry_over");
    String schema = "\"" + db.schema() + "\"";
    db.sql("CREATE ROLE " + app, "CREATE ROLE " + runner + " LOGIN", "CREATE ROLE " + reader,
        "GRANT " + app + " TO " + runner,
        "GRANT USAGE, CREATE ON SCHEMA " + schema + " TO " + app + ", " + runner,
        "GRANT USAGE ON SCHEMA " + schema + " TO " + reader,
        "GRANT CREATE ON DATABASE test TO " + app,
        // zdm's own ledger, which the runner role writes.
        "GRANT ALL ON ALL TABLES IN SCHEMA " + schema + " TO " + runner,
        "GRANT ALL ON ALL SEQUENCES IN SCHEMA " + schema + " TO " + runner,
        "SET ROLE " + app,
        "CREATE TABLE accounts (id bigserial PRIMARY KEY, amount integer NOT NULL, note text) WITH (fillfactor = 70)",
        "INSERT INTO accounts (amount, note) SELECT g % 20 - 2, 'seed' FROM generate_series(1, 2000) g",
        "ALTER TABLE accounts ADD CONSTRAINT amount_not_negative CHECK (amount >= 0) NOT VALID",
        "COMMENT ON TABLE accounts IS 'the accounts'",
        "COMMENT ON COLUMN accounts.note IS 'free text'",
        "GRANT SELECT ON accounts TO " + reader,
        "GRANT UPDATE (note) ON accounts TO " + reader,
        "ALTER TABLE accounts ENABLE ROW LEVEL SECURITY",
        "CREATE POLICY small_amounts ON accounts FOR SELECT TO " + reader + " USING (amount BETWEEN 0 AND 4)",
        "ALTER TABLE accounts REPLICA IDENTITY FULL",
        "CREATE PUBLICATION " + publication + " FOR TABLE accounts",
        "RESET ROLE");
    DatabaseConfig config = DatabaseConfig.of(TestDatabase.url().replace("user=postgres", "user=" + runner))
        .withLedgerSchema(db.schema());
    runnerPool = Database.open(config, "runner-" + suffix, 4);
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (temporal != null) {
        temporal.close();
      }
      runnerPool.close();
      db.sql("DROP PUBLICATION IF EXISTS " + publication,
          "DROP SCHEMA \"" + db.schema() + "\" CASCADE",
          "DROP OWNED BY " + app + ", " + runner + ", " + reader,
          "DROP ROLE " + reader, "DROP ROLE " + runner, "DROP ROLE " + app);
    } finally {
      db.close();
    }
  }

  /** The real activities as the runner role; the application writes as its own role during the copy. */
  private final class ApplicationWritesDuringCopy extends BlueGreenActivitiesImpl {
    ApplicationWritesDuringCopy(TargetDatabase target) {
      super(target);
    }

    @Override
    public TableRef greenTable(BlueGreenRequest request) {
      try {
        db.sql("SET ROLE " + app,
            "INSERT INTO accounts (amount, note) VALUES (3, 'written during the copy')",
            "UPDATE accounts SET note = 'updated during the copy' WHERE id = 3",
            "DELETE FROM accounts WHERE id = 2",
            "RESET ROLE");
      } catch (SQLException e) {
        throw ApplicationFailure.newNonRetryableFailure("the application's write failed: " + e.getMessage(), "AppWrite");
      }
      return super.greenTable(request);
    }
  }

  private Map<String, String> facts() throws SQLException {
    try (Connection connection = db.connection()) {
      return DescriptionFacts.of(new TableDescriber(connection).describe(new TableRef(db.schema(), "accounts"))
          .orElseThrow());
    }
  }

  @Test
  void theSwitchedTableIsTheOriginalApartFromTheAskedChange() throws Exception {
    Map<String, String> before = facts();
    TargetDatabase target = TargetDatabase.of(runnerPool.dataSource(), runnerPool.config(), ZdmMetrics.discarding());
    temporal = new TemporalTestEnv(new Class<?>[] {BlueGreenWorkflowImpl.class},
        new ApplicationWritesDuringCopy(target), new BackfillActivitiesImpl(target), new DdlActivitiesImpl(target));
    BlueGreenWorkflow workflow = temporal.newWorkflow(BlueGreenWorkflow.class, "zdm-carry-over");
    MigrationResult result = workflow.run(new BlueGreenRequest("carry-over", new TableRef(db.schema(), "accounts"),
        List.of("ALTER TABLE accounts ALTER COLUMN note SET DEFAULT 'none'"),
        new MigrationOptions(null, null, null, false, false)));
    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);

    // Owner, grants, column grant, RLS and policy, options, replica identity, publication, NOT VALID
    // check, comments, sequence: all as before. Only the asked default differs.
    assertThat(FidelityDiff.between(before, facts(), object -> object.equals("column note"))).isEmpty();
    assertThat(facts().get("column note")).isEqualTo("text DEFAULT 'none'::text");
    assertThat(db.value("SELECT convalidated::text FROM pg_constraint WHERE conname = 'amount_not_negative'"))
        .isEqualTo("false");
    assertThat(db.count("SELECT count(*) FROM accounts WHERE amount < 0")).as("legacy rows copied").isEqualTo(200);
    // The application's writes during the copy went through its own role and reached the copy.
    assertThat(db.value("SELECT note FROM accounts WHERE id = 3")).isEqualTo("updated during the copy");
    assertThat(db.count("SELECT count(*) FROM accounts WHERE id = 2")).isZero();
    assertThat(db.count("SELECT count(*) FROM accounts WHERE note = 'written during the copy'")).isEqualTo(1);
    // The reader sees what the policy lets it see, and nothing more.
    try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
      statement.execute("SET search_path = \"" + db.schema() + "\"");
      statement.execute("SET ROLE " + reader);
      try (var rows = statement.executeQuery("SELECT count(*) FROM accounts")) {
        rows.next();
        assertThat(rows.getLong(1)).isEqualTo(db.count("SELECT count(*) FROM accounts WHERE amount BETWEEN 0 AND 4"))
            .isLessThan(db.count("SELECT count(*) FROM accounts"));
      }
      statement.execute("RESET ROLE");
    }
    // The serial key continues where it stopped; subscribers see the table, never the old one.
    db.sql("SET ROLE " + app, "INSERT INTO accounts (amount) VALUES (1)", "RESET ROLE");
    assertThat(db.count("SELECT max(id) FROM accounts")).isEqualTo(2002);
    assertThat(db.column("SELECT tablename FROM pg_publication_tables WHERE pubname = '" + publication + "'"))
        .containsExactly("accounts");
  }

  @Test
  void aRollbackAfterTheSwitchMovesThePublicationBack() throws Exception {
    Map<String, String> before = facts();
    long originalOid = db.count("SELECT 'accounts'::regclass::oid::bigint");
    TargetDatabase target = TargetDatabase.of(runnerPool.dataSource(), runnerPool.config(), ZdmMetrics.discarding());
    temporal = new TemporalTestEnv(new Class<?>[] {BlueGreenWorkflowImpl.class},
        new BlueGreenActivitiesImpl(target), new BackfillActivitiesImpl(target), new DdlActivitiesImpl(target));
    BlueGreenWorkflow workflow = temporal.newWorkflow(BlueGreenWorkflow.class, "zdm-carry-back");
    WorkflowClient.start(workflow::run, new BlueGreenRequest("carry-back", new TableRef(db.schema(), "accounts"),
        List.of("ALTER TABLE accounts ALTER COLUMN note SET DEFAULT 'none'"), MigrationOptions.defaults()));
    TemporalTestEnv.awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()), "the approval gate");
    assertThat(db.count("SELECT 'accounts'::regclass::oid::bigint")).isNotEqualTo(originalOid);
    assertThat(db.column("SELECT tablename FROM pg_publication_tables WHERE pubname = '" + publication + "'"))
        .containsExactly("accounts");

    workflow.rollback(new RollbackRequest("test", "back"));
    assertThat(WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class).outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(db.count("SELECT 'accounts'::regclass::oid::bigint")).isEqualTo(originalOid);
    assertThat(db.count("SELECT count(*) FROM pg_publication_rel WHERE prrelid = 'accounts'::regclass")).isEqualTo(1);
    assertThat(FidelityDiff.between(before, facts(), object -> false)).isEmpty();
  }
}
