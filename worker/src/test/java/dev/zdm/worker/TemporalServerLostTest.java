package dev.zdm.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.engine.expandcontract.ArchiveNames;
import dev.zdm.migration.MigrationWorkflow;
import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.Strategy;
import dev.zdm.model.TableRef;
import dev.zdm.model.WaitingFor;
import dev.zdm.postgres.Identifiers;
import dev.zdm.testing.TestDatabase;
import io.temporal.client.WorkflowStub;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Temporal's in-memory server lost mid-migration (closed, a new one started: every workflow, signal,
 * approval and timer it held is gone) and the migration started again under the same id, as
 * {@code zdm start} does after such a loss: what the ledger and the schema kept carries it on,
 * what only the server knew must be sent again. docs/decisions/0421.
 */
class TemporalServerLostTest {
  private static final int ROWS = 5_000;

  private TestDatabase db;
  private WorkflowTestEnvironment temporal;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create("server_lost");
    db.execute("""
        CREATE TABLE {schema}.accounts (id bigint PRIMARY KEY, amount integer NOT NULL, legacy_field text);
        INSERT INTO {schema}.accounts SELECT n, n %% 1000, 'legacy ' || n FROM generate_series(1, %d) n;
        """.formatted(ROWS));
    temporal = new WorkflowTestEnvironment(db);
  }

  @AfterEach
  void tearDown() {
    try {
      if (temporal != null) {
        temporal.close();
      }
    } finally {
      db.close();
    }
  }

  /** The server is gone and a new, empty one runs in its place; the database is untouched. */
  private void loseTheServer() {
    temporal.close();
    temporal = new WorkflowTestEnvironment(db);
  }

  @Test
  void aDualWriteStartedAgainKeepsItsColumnTriggerBackfillAndSnapshotButWaitsForItsDeploymentsAgain() {
    String rename = "ALTER TABLE {schema}.accounts RENAME COLUMN amount TO total;";
    MigrationWorkflow first = temporal.start("rename", rename, null, MigrationOptions.defaults());
    temporal.awaitStatus(first, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()));
    first.deployed(new DeploymentSignal("v1.1", "reads"));
    temporal.awaitStatus(first, s -> WaitingFor.DEPLOYMENT_WRITES.equals(s.waitingFor()));
    String snapshot = db.queryString("SELECT md5(description::text) FROM {schema}._migration_table_snapshots"
        + " WHERE migration_id = 'rename'");
    long scanned = db.queryLong("SELECT sum(rows_scanned) FROM {schema}._migration_progress WHERE migration_id = 'rename'");
    // Written while the first run waits; the trigger copies it to total.
    db.execute("UPDATE {schema}.accounts SET amount = 4242 WHERE id = 7");

    loseTheServer();

    MigrationWorkflow again = temporal.start("rename", rename, null, MigrationOptions.defaults());
    // The "reads" deployment was a signal to the lost run: the new run waits for it again.
    temporal.awaitStatus(again, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()));
    // The column and trigger the first run made are taken as they are, the backfill resumed from the
    // ledger's cursor (it had finished: no row scanned twice), and the snapshot of the table before
    // the migration is still the first run's (not one taken with the new column in it).
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.accounts WHERE total IS DISTINCT FROM amount")).isZero();
    assertThat(db.queryLong("SELECT sum(rows_scanned) FROM {schema}._migration_progress WHERE migration_id = 'rename'"))
        .isEqualTo(scanned);
    assertThat(db.queryString("SELECT md5(description::text) FROM {schema}._migration_table_snapshots"
        + " WHERE migration_id = 'rename'")).isEqualTo(snapshot);

    again.deployed(new DeploymentSignal("v1.1", "reads"));
    again.deployed(new DeploymentSignal("v1.2", "writes"));
    temporal.awaitStatus(again, s -> WaitingFor.APPROVAL.equals(s.waitingFor()));
    again.approve(new ApprovalRequest("tester", null));
    assertThat(WorkflowStub.fromTyped(again).getResult(MigrationResult.class).outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.accounts WHERE total = id % 1000 OR (id = 7 AND total = 4242)"))
        .isEqualTo(ROWS);
    assertThat(db.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_schema = '" + db.schema()
        + "' AND table_name = 'accounts' AND column_name = 'amount'")).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM {schema}._migration_table_claims")).isZero();
  }

  @Test
  void anExpandContractStartedAgainKeepsItsRemovalDateButWaitsForItsDeploymentAgain() {
    String drop = "ALTER TABLE {schema}.accounts DROP COLUMN legacy_field";
    MigrationWorkflow first = temporal.start("drop-legacy", drop, Strategy.EXPAND_CONTRACT, MigrationOptions.defaults());
    temporal.awaitStatus(first, s -> WaitingFor.DEPLOYMENT.equals(s.waitingFor()));
    first.deployed(new DeploymentSignal("v2", null));
    temporal.awaitStatus(first, s -> WaitingFor.REMOVAL_DATE.equals(s.waitingFor()));
    String deprecation = db.queryString("SELECT deprecated_at || ' ' || removal_date FROM {schema}._migration_deprecations");

    loseTheServer();

    MigrationWorkflow again = temporal.start("drop-legacy", drop, Strategy.EXPAND_CONTRACT, MigrationOptions.defaults());
    temporal.awaitStatus(again, s -> WaitingFor.DEPLOYMENT.equals(s.waitingFor()));
    // One deprecation, the first run's: the removal date does not move with the new start.
    assertThat(db.queryLong("SELECT count(*) FROM {schema}._migration_deprecations")).isEqualTo(1);
    assertThat(db.queryString("SELECT deprecated_at || ' ' || removal_date FROM {schema}._migration_deprecations"))
        .isEqualTo(deprecation);

    again.deployed(new DeploymentSignal("v2", null));
    temporal.awaitStatus(again, s -> WaitingFor.REMOVAL_DATE.equals(s.waitingFor()));
    temporal.env.sleep(Duration.ofDays(30).plusMinutes(1));
    temporal.awaitStatus(again, s -> WaitingFor.APPROVAL.equals(s.waitingFor()));
    again.approve(new ApprovalRequest("tester", null));
    assertThat(WorkflowStub.fromTyped(again).getResult(MigrationResult.class).outcome()).isEqualTo(Outcome.COMPLETED);
    String archive = Identifiers.quote(ArchiveNames.of(new TableRef(db.schema(), "accounts"), "legacy_field").table());
    assertThat(db.queryLong("SELECT count(*) FROM " + archive + " a"
        + " WHERE a.legacy_field = 'legacy ' || a.id")).isEqualTo(ROWS);
  }
}
