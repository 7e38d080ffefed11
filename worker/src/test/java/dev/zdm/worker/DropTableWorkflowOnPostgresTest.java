package dev.zdm.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.migration.MigrationWorkflow;
import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.MigrationStatus;
import dev.zdm.model.Outcome;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.WaitingFor;
import dev.zdm.model.plan.DropTableStep;
import dev.zdm.postgres.Identifiers;
import dev.zdm.testing.TestDatabase;
import io.temporal.client.WorkflowStub;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DROP TABLE end to end through the parent workflow, real activities, real PostgreSQL, skipped time. */
class DropTableWorkflowOnPostgresTest {
  private static final String DROP = "DROP TABLE {schema}.sessions";
  private static final int ROWS = 3_000;

  private TestDatabase db;
  private WorkflowTestEnvironment temporal;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create("drop_table_wf");
    db.execute("""
        CREATE TABLE {schema}.sessions (id bigint PRIMARY KEY, token text NOT NULL);
        INSERT INTO {schema}.sessions SELECT n, 't' || n FROM generate_series(1, %d) n;
        COMMENT ON TABLE {schema}.sessions IS 'login sessions';
        """.formatted(ROWS));
    temporal = new WorkflowTestEnvironment(db);
  }

  @AfterEach
  void tearDown() {
    temporal.close();
    // The archive schema sits beside the test's ledger schema, and this test made it.
    db.execute("DROP SCHEMA IF EXISTS " + Identifiers.quote(db.schema() + "_archive") + " CASCADE");
    db.close();
  }

  private long tablesNamed(String schema, String name) {
    return db.queryLong("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE c.relkind = 'r' AND n.nspname = '" + schema + "' AND c.relname LIKE '" + name + "'");
  }

  private MigrationWorkflow startAndMoveAside(String id) {
    MigrationWorkflow workflow = temporal.start(id, DROP, null, MigrationOptions.defaults());
    assertThat(workflow.awaitPlan().steps()).singleElement().isInstanceOf(DropTableStep.class);
    temporal.awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT.equals(s.waitingFor()));
    assertThat(db.queryString("SELECT obj_description('{schema}.sessions'::regclass, 'pg_class')"))
        .startsWith("DEPRECATED by zdm migration " + id);
    workflow.deployed(new DeploymentSignal("v2", null));
    temporal.awaitStatus(workflow, s -> WaitingFor.REMOVAL_DATE.equals(s.waitingFor()));
    temporal.env.sleep(Duration.ofDays(30).plusMinutes(1));
    temporal.awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()));
    assertThat(tablesNamed(db.schema(), "sessions")).isEqualTo(1);
    workflow.approve(new ApprovalRequest("tester", "go"));
    MigrationStatus retained = temporal.awaitStatus(workflow, s -> WaitingFor.RETENTION.equals(s.waitingFor()));
    assertThat(retained.rollbackPossible()).isTrue();
    assertThat(tablesNamed(db.schema(), "sessions")).isZero();
    assertThat(tablesNamed(db.schema() + "_archive", "sessions\\_%")).isEqualTo(1);
    return workflow;
  }

  @Test
  void movesTheTableAsideAfterDeploymentRemovalDateAndApprovalThenDropsItAfterTheRetention() {
    MigrationWorkflow workflow = startAndMoveAside("drop-sessions");

    temporal.env.sleep(Duration.ofDays(7).plusMinutes(1));
    MigrationResult result = WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(tablesNamed(db.schema() + "_archive", "sessions\\_%")).isZero();
    assertThat(tablesNamed(db.schema(), "sessions")).isZero();
    assertThat(db.queryString("SELECT status FROM {schema}._migration_deprecations")).isEqualTo("removed");
    assertThat(result.steps()).extracting(step -> step.name()).containsSubsequence(
        "deprecate", "deployment", "removal-date", "approval", "move-aside", "retention", "fidelity-check", "drop");
  }

  @Test
  void aRollbackDuringTheRetentionPutsTheTableBackWithItsRowsAndComment() {
    MigrationWorkflow workflow = startAndMoveAside("drop-sessions-back");
    temporal.env.sleep(Duration.ofDays(2));

    workflow.rollback(new RollbackRequest("tester", "the billing job still reads it"));
    MigrationResult result = WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.sessions WHERE token = 't' || id")).isEqualTo(ROWS);
    assertThat(db.queryString("SELECT obj_description('{schema}.sessions'::regclass, 'pg_class')"))
        .isEqualTo("login sessions");
    assertThat(db.queryLong("SELECT count(*) FROM {schema}._migration_deprecations")).isZero();
    assertThat(tablesNamed(db.schema() + "_archive", "sessions\\_%")).isZero();
  }
}
