package dev.zdm.engine.expandcontract;

import static dev.zdm.testing.TemporalTestEnv.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.catalog.FidelityDiff;
import dev.zdm.engine.activities.DdlActivitiesImpl;
import dev.zdm.engine.backfill.BackfillActivitiesImpl;
import dev.zdm.expandcontract.ExpandContractRequest;
import dev.zdm.expandcontract.ExpandContractWorkflow;
import dev.zdm.expandcontract.ExpandContractWorkflowImpl;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.TableRef;
import dev.zdm.model.WaitingFor;
import dev.zdm.postgres.TargetDatabase;
import dev.zdm.testing.ApplicationRoles;
import dev.zdm.testing.RoleWriter;
import dev.zdm.testing.TemporalTestEnv;
import dev.zdm.testing.TestDatabase;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Expand-contract on a table as an application has it (issue 9): owned by the application's role
 * while zdm runs as a member of it, a reader behind a row-level security policy with a column
 * grant on the dropped column, a publication, a NOT VALID check that legacy rows violate, indexes;
 * the application writes as its own role throughout. Afterwards only the dropped column and what
 * was built on it are gone, and its values are in an archive the table's owner can read.
 */
class ExpandContractOwnedTableTest {
  private TestDatabase db;
  private ApplicationRoles roles;
  private TemporalTestEnv temporal;

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabase.create("ec_owned");
    roles = new ApplicationRoles(db);
    roles.asApp(
        "CREATE TABLE accounts (id bigserial PRIMARY KEY, amount integer NOT NULL, region text NOT NULL,"
            + " legacy text)",
        // ids 1, 2, 21, 22, ...: amount -2 or -1, legacy rows the NOT VALID check below lets stay.
        "INSERT INTO accounts (amount, region, legacy) SELECT g % 20 - 2,"
            + " CASE WHEN g % 4 = 0 THEN 'north' ELSE 'south' END, 'old ' || g FROM generate_series(1, 2000) g",
        "ALTER TABLE accounts ADD CONSTRAINT amount_not_negative CHECK (amount >= 0) NOT VALID",
        "CREATE INDEX accounts_amount_idx ON accounts (amount)",
        "CREATE INDEX accounts_legacy_idx ON accounts (legacy)");
    roles.shareWithReaderUnderPolicy("accounts", "legacy");
    roles.asApp("GRANT UPDATE (amount) ON accounts TO " + roles.reader());
    TargetDatabase target = roles.target();
    temporal = new TemporalTestEnv(new Class<?>[] {ExpandContractWorkflowImpl.class},
        new ExpandContractActivitiesImpl(target), new BackfillActivitiesImpl(target), new DdlActivitiesImpl(target));
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      temporal.close();
      roles.close();
    } finally {
      db.close();
    }
  }

  @Test
  void theDropKeepsOwnerGrantsPolicyPublicationAndTheNotValidCheckAndTheOwnerCanReadTheArchive() throws Exception {
    Map<String, String> before = roles.facts("accounts");
    long readerSaw = roles.asReader("SELECT count(*) FROM accounts");
    MigrationResult result;
    long rounds;
    try (RoleWriter app = new RoleWriter(db.schema(), roles.app(),
        "INSERT INTO accounts (amount, region, legacy) VALUES (%d %% 7, 'south', 'new %1$d')",
        "UPDATE accounts SET legacy = 'rewritten ' || %d WHERE id = 10").start()) {
      ExpandContractWorkflow workflow = temporal.newWorkflow(ExpandContractWorkflow.class, "zdm-owned-drop");
      WorkflowClient.start(workflow::run, new ExpandContractRequest("owned-drop",
          new TableRef(db.schema(), "accounts"), "legacy",
          new MigrationOptions(Duration.ofMinutes(5), null, null, false, false)));
      awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT.equals(s.waitingFor()), "the deployment gate");
      app.awaitRounds(20);
      workflow.deployed(new DeploymentSignal("v2", null));
      result = WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class);
      app.awaitRounds(5);
      app.close();
      rounds = app.rounds();
      // Once the column is gone the application's old statements fail, as its new version's would not.
      assertThat(app.errors()).allMatch(error -> error.contains("column \"legacy\""));
    }

    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    Map<String, String> after = roles.facts("accounts");
    assertThat(FidelityDiff.between(before, after,
        object -> Set.of("column legacy", "index accounts_legacy_idx").contains(object))).isEmpty();
    assertThat(after).doesNotContainKey("column legacy").doesNotContainKey("index accounts_legacy_idx");
    assertThat(after.get("table: owner")).isEqualTo(roles.app());
    assertThat(db.value("SELECT convalidated::text FROM pg_constraint WHERE conname = 'amount_not_negative'"))
        .as("still NOT VALID").isEqualTo("false");
    assertThat(db.value("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'accounts_amount_idx'::regclass"))
        .isEqualTo("true");
    assertThat(db.count("SELECT count(*) FROM accounts WHERE amount < 0")).as("legacy rows kept").isEqualTo(200);
    assertThat(db.count("SELECT count(*) FROM accounts WHERE id <= 2000 AND amount <> id % 20 - 2")).isZero();
    assertThat(roles.asReader("SELECT count(*) FROM accounts")).as("the policy still hides the other rows")
        .isEqualTo(readerSaw).isEqualTo(db.count("SELECT count(*) FROM accounts WHERE region = 'north'"));
    assertThat(db.column("SELECT tablename FROM pg_publication_tables WHERE pubname = '" + roles.publication() + "'"))
        .containsExactly("accounts");

    // The dropped values: in the archive, for the table's owner to read; nobody else was granted them.
    String archive = ArchiveNames.of(new TableRef(db.schema(), "accounts"), "legacy").name();
    assertThat(db.value("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = '\"" + archive + "\"'::regclass"))
        .as("the archive belongs to the table's owner").isEqualTo(roles.app());
    try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
      statement.execute("SET search_path = \"" + db.schema() + "\"");
      statement.execute("SET ROLE " + roles.app());
      try (var rows = statement.executeQuery("SELECT count(*) FROM \"" + archive + "\" WHERE legacy LIKE 'old %'")) {
        rows.next();
        assertThat(rows.getLong(1)).as("seed values the owner reads from the archive").isEqualTo(1999);
      }
      statement.execute("RESET ROLE");
    }
    assertThat(db.value("SELECT legacy FROM \"" + archive + "\" WHERE id = 10")).startsWith("rewritten ");
    assertThat(db.count("SELECT count(*) FROM \"" + archive + "\" WHERE legacy LIKE 'new %'"))
        .as("rows the application inserted while the column existed").isPositive();
    assertThat(db.value("SELECT has_table_privilege('" + roles.reader() + "', '\"" + archive + "\"', 'SELECT')::text"))
        .isEqualTo("false");
    assertThat(roles.leftovers("accounts")).as("the documented archive, its trigger and function gone")
        .containsExactlyInAnyOrder("relation " + archive, "relation " + archive + "_pkey");
    assertThat(rounds).isPositive();
  }

  @Test
  void aPublicationWhoseColumnListNamesTheColumnIsRefusedBeforeTheDeprecation() throws Exception {
    // PostgreSQL will not drop a column a publication's column list names: the drop would fail
    // past the point of no return.
    roles.asApp("CREATE PUBLICATION " + roles.publication() + "_cols FOR TABLE accounts (id, legacy)");
    Map<String, String> before = roles.facts("accounts");
    ExpandContractWorkflow workflow = temporal.newWorkflow(ExpandContractWorkflow.class, "zdm-owned-pub");
    WorkflowClient.start(workflow::run, new ExpandContractRequest("owned-pub",
        new TableRef(db.schema(), "accounts"), "legacy", MigrationOptions.defaults()));

    assertThatThrownBy(() -> WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class))
        .rootCause()
        .hasMessageContaining("[owned-pub] the column list or row filter of publication "
            + roles.publication() + "_cols names")
        .hasMessageContaining("Nothing was changed");
    assertThat(roles.facts("accounts")).as("no deprecation comment either").isEqualTo(before);
    assertThat(roles.leftovers("accounts")).isEmpty();
  }
}
