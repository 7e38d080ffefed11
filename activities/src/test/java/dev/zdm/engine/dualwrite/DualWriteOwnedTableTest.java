package dev.zdm.engine.dualwrite;

import static dev.zdm.testing.TemporalTestEnv.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.catalog.FidelityDiff;
import dev.zdm.dualwrite.DualWriteKind;
import dev.zdm.dualwrite.DualWriteRequest;
import dev.zdm.dualwrite.DualWriteWorkflow;
import dev.zdm.dualwrite.DualWriteWorkflowImpl;
import dev.zdm.engine.activities.DdlActivitiesImpl;
import dev.zdm.engine.backfill.BackfillActivitiesImpl;
import dev.zdm.model.ApprovalRequest;
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
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Dual-write on a table as an application has it (issue 9): owned by the application's role while
 * zdm runs as a member of it, a reader behind a row-level security policy with a column grant on
 * the changed column, a publication, a NOT VALID check on the column that legacy rows violate, an
 * index on it; the application writes as its own role throughout. Afterwards the catalog is the
 * original's apart from the asked type; an incoming foreign key is refused before anything changes.
 */
class DualWriteOwnedTableTest {
  private TestDatabase db;
  private ApplicationRoles roles;
  private TemporalTestEnv temporal;

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabase.create("dw_owned");
    roles = new ApplicationRoles(db);
    roles.asApp(
        "CREATE TABLE accounts (id bigserial PRIMARY KEY, amount integer NOT NULL, region text NOT NULL, note text)",
        "INSERT INTO accounts (amount, region, note) SELECT g % 20,"
            + " CASE WHEN g % 4 = 0 THEN 'north' ELSE 'south' END, 'seed' FROM generate_series(1, 2000) g",
        "ALTER TABLE accounts ADD CONSTRAINT amount_not_negative CHECK (amount >= 0) NOT VALID",
        "CREATE INDEX accounts_amount_idx ON accounts (amount)");
    roles.shareWithReaderUnderPolicy("accounts", "amount");
    TargetDatabase target = roles.target();
    temporal = new TemporalTestEnv(new Class<?>[] {DualWriteWorkflowImpl.class},
        new DualWriteActivitiesImpl(target), new BackfillActivitiesImpl(target), new DdlActivitiesImpl(target));
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

  private DualWriteWorkflow start(String id, String table, String column, String newType) {
    DualWriteWorkflow workflow = temporal.newWorkflow(DualWriteWorkflow.class, "zdm-" + id);
    WorkflowClient.start(workflow::run, new DualWriteRequest(id, DualWriteKind.CHANGE_TYPE,
        new TableRef(db.schema(), table), column, null, newType, null, null, null,
        DualWriteCarryOverTest.BATCHES, MigrationOptions.defaults(), null));
    return workflow;
  }

  @Test
  void aTypeChangeKeepsOwnerGrantsPolicyPublicationAndTheNotValidCheck() throws Exception {
    Map<String, String> before = roles.facts("accounts");
    long readerSaw = roles.asReader("SELECT count(*) FROM accounts");
    MigrationResult result;
    long rounds;
    try (RoleWriter app = new RoleWriter(db.schema(), roles.app(),
        "INSERT INTO accounts (amount, region, note) VALUES (%d %% 7, 'south', 'written by the application')",
        "UPDATE accounts SET amount = %d %% 5 + 100 WHERE id = 10").start()) {
      DualWriteWorkflow workflow = start("owned-retype", "accounts", "amount", "bigint");
      awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()), "the reads gate");
      app.awaitRounds(20);
      workflow.deployed(new DeploymentSignal("v2", "reads"));
      awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_WRITES.equals(s.waitingFor()), "the writes gate");
      workflow.deployed(new DeploymentSignal("v2", "writes"));
      awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()), "the approval gate");
      workflow.approve(new ApprovalRequest("test", null));
      result = WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class);
      app.awaitRounds(5);
      app.close();
      assertThat(app.errors()).as("the application's writes").isEmpty();
      rounds = app.rounds();
    }

    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    // Owner, table and column grants, RLS and its policy, publication, the NOT VALID check, the
    // index under its name: all as before. Only the asked type differs.
    Map<String, String> after = roles.facts("accounts");
    assertThat(FidelityDiff.between(before, after, object -> object.equals("column amount"))).isEmpty();
    assertThat(after.get("column amount")).isEqualTo("bigint NOT NULL");
    assertThat(after.get("column amount: grant UPDATE to " + roles.reader())).isEqualTo("granted");
    assertThat(after.get("table: owner")).isEqualTo(roles.app());
    assertThat(db.value("SELECT convalidated::text FROM pg_constraint WHERE conname = 'amount_not_negative'"))
        .as("still NOT VALID").isEqualTo("false");
    assertThat(db.value("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'accounts_amount_idx'::regclass"))
        .isEqualTo("true");
    assertThat(db.count("SELECT count(*) FROM accounts WHERE id <= 2000 AND id <> 10 AND amount <> id % 20"))
        .as("seed values unchanged").isZero();
    assertThat(db.value("SELECT amount FROM accounts WHERE id = 10")).isEqualTo(String.valueOf(rounds % 5 + 100));
    assertThat(db.count("SELECT count(*) FROM accounts WHERE note = 'written by the application'"))
        .isEqualTo(rounds);
    assertThat(roles.asReader("SELECT count(*) FROM accounts")).as("the policy still hides the other rows")
        .isEqualTo(readerSaw).isEqualTo(db.count("SELECT count(*) FROM accounts WHERE region = 'north'"));
    assertThat(db.column("SELECT tablename FROM pg_publication_tables WHERE pubname = '" + roles.publication() + "'"))
        .containsExactly("accounts");
    assertThat(roles.leftovers("accounts")).isEmpty();
  }

  @Test
  void legacyRowsBreakingTheNotValidCheckAreRefusedBeforeAnythingChanges() throws Exception {
    // Rows from before the check: any UPDATE of them, the backfill's included, fails.
    roles.asApp("ALTER TABLE accounts DROP CONSTRAINT amount_not_negative",
        "INSERT INTO accounts (amount, region, note) SELECT -g, 'south', 'legacy' FROM generate_series(1, 200) g",
        "ALTER TABLE accounts ADD CONSTRAINT amount_not_negative CHECK (amount >= 0) NOT VALID");
    Map<String, String> before = roles.facts("accounts");

    DualWriteWorkflow workflow = start("owned-legacy", "accounts", "amount", "bigint");

    assertThatThrownBy(() -> WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class))
        .rootCause()
        .hasMessageContaining("[owned-legacy] dual-write refused")
        .hasMessageContaining("CHECK amount_not_negative ((amount >= 0)): 200 rows violate it")
        .hasMessageContaining("Nothing was changed");
    assertThat(roles.facts("accounts")).isEqualTo(before);
    assertThat(db.count("SELECT count(*) FROM accounts WHERE amount < 0")).isEqualTo(200);
    assertThat(roles.leftovers("accounts")).isEmpty();
  }

  @Test
  void aPublicationWhoseColumnListNamesTheColumnIsRefusedAndNothingChanges() throws Exception {
    // PostgreSQL will not drop a column a publication's column list names: the cut-over would fail.
    roles.asApp("CREATE PUBLICATION " + roles.publication() + "_cols FOR TABLE accounts (id, amount, region)");
    Map<String, String> before = roles.facts("accounts");

    DualWriteWorkflow workflow = start("owned-pub", "accounts", "amount", "bigint");

    assertThatThrownBy(() -> WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class))
        .rootCause()
        .hasMessageContaining("[owned-pub] dual-write refused")
        .hasMessageContaining("publication " + roles.publication() + "_cols names")
        .hasMessageContaining("Nothing was changed");
    assertThat(roles.facts("accounts")).isEqualTo(before);
    assertThat(db.value("SELECT array_to_string(attnames, ',') FROM pg_publication_tables WHERE pubname = '"
        + roles.publication() + "_cols'")).isEqualTo("id,amount,region");
    assertThat(roles.leftovers("accounts")).isEmpty();
  }

  @Test
  void anIncomingForeignKeyOnTheChangedColumnIsRefusedAndNothingChanges() throws Exception {
    roles.asApp("ALTER TABLE accounts ADD COLUMN code integer",
        "UPDATE accounts SET code = id",
        "ALTER TABLE accounts ADD CONSTRAINT accounts_code_key UNIQUE (code)",
        "CREATE TABLE transfers (id bigint PRIMARY KEY, account_code integer REFERENCES accounts (code))",
        "INSERT INTO transfers SELECT g, g FROM generate_series(1, 100) g");
    Map<String, String> before = roles.facts("accounts");
    Map<String, String> transfersBefore = roles.facts("transfers");

    DualWriteWorkflow workflow = start("owned-fk", "accounts", "code", "bigint");

    assertThatThrownBy(() -> WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class))
        .rootCause()
        .hasMessageContaining("[owned-fk]")
        .hasMessageContaining("foreign key transfers_account_code_fkey of " + db.schema() + ".transfers references code")
        .hasMessageContaining("Nothing was changed");
    assertThat(roles.facts("accounts")).isEqualTo(before);
    assertThat(roles.facts("transfers")).isEqualTo(transfersBefore);
    assertThat(roles.leftovers("accounts")).isEmpty();
  }
}
