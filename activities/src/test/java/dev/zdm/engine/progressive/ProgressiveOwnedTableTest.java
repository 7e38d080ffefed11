package dev.zdm.engine.progressive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.catalog.FidelityDiff;
import dev.zdm.engine.activities.DdlActivitiesImpl;
import dev.zdm.engine.backfill.BackfillActivitiesImpl;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.TargetDatabase;
import dev.zdm.progressive.ProgressiveChange;
import dev.zdm.progressive.ProgressiveChange.BatchedUpdate;
import dev.zdm.progressive.ProgressiveChange.IndexBuild;
import dev.zdm.progressive.ProgressiveRequest;
import dev.zdm.progressive.ProgressiveWorkflow;
import dev.zdm.progressive.ProgressiveWorkflowImpl;
import dev.zdm.testing.ApplicationRoles;
import dev.zdm.testing.RoleWriter;
import dev.zdm.testing.TemporalTestEnv;
import dev.zdm.testing.TestDatabase;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Progressive on a table as an application has it (issue 9): owned by the application's role while
 * zdm runs as a member of it, a reader behind a row-level security policy with a column grant on
 * the changed column, a publication, a NOT VALID check that legacy rows violate, an index on the
 * column; the application writes as its own role throughout. Afterwards the catalog is as before
 * (plus the asked index); an UPDATE PostgreSQL would refuse on the legacy rows is refused before
 * its first batch.
 */
class ProgressiveOwnedTableTest {
  private TestDatabase db;
  private ApplicationRoles roles;
  private TemporalTestEnv temporal;

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabase.create("pg_owned");
    roles = new ApplicationRoles(db);
    roles.asApp(
        "CREATE TABLE accounts (id bigserial PRIMARY KEY, amount integer NOT NULL, region text NOT NULL, note text)",
        // ids 1, 2, 21, 22, ...: amount -2 or -1, legacy rows the NOT VALID check below lets stay.
        "INSERT INTO accounts (amount, region, note) SELECT g % 20 - 2,"
            + " CASE WHEN g % 4 = 0 THEN 'north' ELSE 'south' END, 'seed' FROM generate_series(1, 3000) g",
        "ALTER TABLE accounts ADD CONSTRAINT amount_not_negative CHECK (amount >= 0) NOT VALID",
        "CREATE INDEX accounts_note_idx ON accounts (note)");
    roles.shareWithReaderUnderPolicy("accounts", "note");
    TargetDatabase target = roles.target();
    temporal = new TemporalTestEnv(new Class<?>[] {ProgressiveWorkflowImpl.class},
        new ProgressiveActivitiesImpl(target), new BackfillActivitiesImpl(target), new DdlActivitiesImpl(target));
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

  private ProgressiveWorkflow start(String id, ProgressiveChange change) {
    ProgressiveWorkflow workflow = temporal.newWorkflow(ProgressiveWorkflow.class, "zdm-" + id);
    WorkflowClient.start(workflow::run, new ProgressiveRequest(id, new TableRef(db.schema(), "accounts"), change,
        ProgressiveWorkflowTest.BATCHES, new MigrationOptions(null, null, null, false, false), null));
    return workflow;
  }

  /** Runs the change while the application inserts rows and updates one as its own role. */
  private MigrationResult runWithTheApplicationWriting(String id, ProgressiveChange change) throws Exception {
    try (RoleWriter app = new RoleWriter(db.schema(), roles.app(),
        "INSERT INTO accounts (amount, region, note) VALUES (%d %% 7, 'south', 'written by the application')",
        "UPDATE accounts SET amount = %d %% 5 + 100 WHERE id = 10").start()) {
      app.awaitRounds(10);
      ProgressiveWorkflow workflow = start(id, change);
      MigrationResult result = WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class);
      app.awaitRounds(5);
      app.close();
      assertThat(app.errors()).as("the application's writes").isEmpty();
      assertThat(db.value("SELECT amount FROM accounts WHERE id = 10")).isEqualTo(String.valueOf(app.rounds() % 5 + 100));
      assertThat(db.count("SELECT count(*) FROM accounts WHERE note = 'written by the application'"))
          .isEqualTo(app.rounds());
      return result;
    }
  }

  /** Owner, grants, RLS and policy, publication, the NOT VALID check and its legacy rows, the index. */
  private void assertKept(Map<String, String> before, long readerSaw, Predicate<String> asked) throws Exception {
    Map<String, String> after = roles.facts("accounts");
    assertThat(FidelityDiff.between(before, after, asked)).isEmpty();
    assertThat(after.get("table: owner")).isEqualTo(roles.app());
    assertThat(after.get("column note: grant UPDATE to " + roles.reader())).isEqualTo("granted");
    assertThat(db.value("SELECT convalidated::text FROM pg_constraint WHERE conname = 'amount_not_negative'"))
        .as("still NOT VALID").isEqualTo("false");
    assertThat(db.count("SELECT count(*) FROM accounts WHERE amount < 0")).as("legacy rows kept").isEqualTo(300);
    assertThat(db.value("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'accounts_note_idx'::regclass"))
        .isEqualTo("true");
    long north = db.count("SELECT count(*) FROM accounts WHERE region = 'north'");
    assertThat(roles.asReader("SELECT count(*) FROM accounts")).as("the policy still hides the other rows")
        .isEqualTo(north).isEqualTo(readerSaw).isLessThan(db.count("SELECT count(*) FROM accounts"));
    assertThat(db.column("SELECT tablename FROM pg_publication_tables WHERE pubname = '" + roles.publication() + "'"))
        .containsExactly("accounts");
    assertThat(roles.leftovers("accounts")).isEmpty();
  }

  @Test
  void aBatchedUpdateThatLeavesTheLegacyRowsAloneKeepsEverything() throws Exception {
    Map<String, String> before = roles.facts("accounts");
    long readerSaw = roles.asReader("SELECT count(*) FROM accounts");

    MigrationResult result = runWithTheApplicationWriting("owned-update",
        new BatchedUpdate("note = 'reviewed'", "note = 'seed' AND amount >= 0"));

    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertKept(before, readerSaw, object -> false);
    assertThat(db.count("SELECT count(*) FROM accounts WHERE note = 'reviewed'")).isEqualTo(2700);
    assertThat(db.count("SELECT count(*) FROM accounts WHERE note = 'seed'")).isEqualTo(300);
  }

  @Test
  void aBatchedUpdateThatPostgresWouldRefuseOnTheLegacyRowsIsRefusedBeforeItsFirstBatch() throws Exception {
    Map<String, String> before = roles.facts("accounts");
    long readerSaw = roles.asReader("SELECT count(*) FROM accounts");

    ProgressiveWorkflow workflow = start("owned-refused", new BatchedUpdate("note = 'reviewed'", "note = 'seed'"));

    assertThatThrownBy(() -> WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class))
        .rootCause()
        .hasMessageContaining("[owned-refused] batched UPDATE of " + db.schema() + ".accounts refused before its first batch")
        .hasMessageContaining("amount_not_negative")
        .hasMessageContaining("Nothing was changed");
    assertThat(db.count("SELECT count(*) FROM accounts WHERE note = 'seed'")).as("no batch ran").isEqualTo(3000);
    assertKept(before, readerSaw, object -> false);
  }

  @Test
  void aBatchedUpdateThatFixesTheLegacyRowsRunsAndLeavesTheCheckForTheOperatorToValidate() throws Exception {
    ProgressiveWorkflow workflow = start("owned-fix", new BatchedUpdate("amount = -amount", "amount < 0"));

    assertThat(WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class).outcome())
        .isEqualTo(Outcome.COMPLETED);
    assertThat(db.count("SELECT count(*) FROM accounts WHERE amount < 0")).isZero();
    assertThat(db.value("SELECT convalidated::text FROM pg_constraint WHERE conname = 'amount_not_negative'"))
        .isEqualTo("false");
  }

  @Test
  void anIndexBuiltByZdmsRoleBelongsToTheTableAndChangesNothingElse() throws Exception {
    Map<String, String> before = roles.facts("accounts");
    long readerSaw = roles.asReader("SELECT count(*) FROM accounts");

    MigrationResult result = runWithTheApplicationWriting("owned-index",
        new IndexBuild("accounts_region_note_idx", "(region, note)", false, null, null, null, null));

    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertKept(before, readerSaw, object -> object.equals("index accounts_region_note_idx"));
    assertThat(db.value("SELECT indisvalid::text || ' ' || pg_get_userbyid(c.relowner) FROM pg_index i"
        + " JOIN pg_class c ON c.oid = i.indexrelid WHERE indexrelid = 'accounts_region_note_idx'::regclass"))
        .isEqualTo("true " + roles.app());
  }
}
