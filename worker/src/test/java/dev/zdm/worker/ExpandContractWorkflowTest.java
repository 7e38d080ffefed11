package dev.zdm.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.engine.expandcontract.ArchiveNames;
import dev.zdm.migration.MigrationWorkflow;
import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.MigrationStatus;
import dev.zdm.model.Outcome;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.Strategy;
import dev.zdm.model.TableRef;
import dev.zdm.model.WaitingFor;
import dev.zdm.model.plan.ExpandContractStep;
import dev.zdm.model.plan.Plan;
import dev.zdm.postgres.Identifiers;
import dev.zdm.temporal.ZdmNames;
import dev.zdm.testing.TestDatabase;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Expand-contract end to end in Temporal's time-skipping environment, against real PostgreSQL. */
class ExpandContractWorkflowTest {
  private static final String DROP = "ALTER TABLE {schema}.users DROP COLUMN legacy_field";
  private static final int ROWS = 5_000;

  private TestDatabase db;
  private WorkflowTestEnvironment temporal;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create("expand_contract");
    db.execute("""
        CREATE TABLE {schema}.users (id bigint PRIMARY KEY, email text NOT NULL, legacy_field text);
        INSERT INTO {schema}.users SELECT n, 'u' || n || '@example.com', 'legacy ' || n
          FROM generate_series(1, %d) n;
        COMMENT ON COLUMN {schema}.users.legacy_field IS 'the comment before zdm';
        """.formatted(ROWS));
    temporal = new WorkflowTestEnvironment(db);
  }

  @AfterEach
  void tearDown() {
    temporal.close();
    db.close();
  }

  @Test
  void dropsTheColumnAfterDeploymentTheThirtyDayWindowAndApprovalKeepingItsData() {
    MigrationWorkflow workflow = temporal.start("drop-legacy", DROP, Strategy.EXPAND_CONTRACT, MigrationOptions.defaults());
    Plan plan = workflow.awaitPlan();
    assertThat(plan.steps()).singleElement().isInstanceOf(ExpandContractStep.class);

    MigrationStatus waiting = temporal.awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT.equals(s.waitingFor()));
    assertThat(waiting.rollbackPossible()).isTrue();
    assertThat(db.queryString("SELECT col_description('{schema}.users'::regclass, 3)")).startsWith("DEPRECATED by zdm");
    assertThat(db.queryLong("SELECT count(*) FROM {schema}._migration_deprecations WHERE removal_date > now() + interval '29 days'"))
        .isEqualTo(1);

    workflow.deployed(new DeploymentSignal("v1.1", null));
    temporal.awaitStatus(workflow, s -> WaitingFor.REMOVAL_DATE.equals(s.waitingFor()));
    assertThatThrownBy(() -> workflow.approve(new ApprovalRequest("tester", null)))
        .isInstanceOf(WorkflowUpdateException.class)
        .satisfies(e -> assertThat(rootMessage(e)).contains("Nothing in migration drop-legacy awaits approval")
            .contains("waiting for removal-date"));

    temporal.env.sleep(Duration.ofDays(30).plusMinutes(1));
    temporal.awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()));
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.users WHERE legacy_field IS NOT NULL")).isEqualTo(ROWS);

    workflow.approve(new ApprovalRequest("tester", "go"));
    MigrationResult result = WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(db.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_schema = '"
        + db.schema() + "' AND table_name = 'users' AND column_name = 'legacy_field'")).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM " + usersArchive() + " a "
        + "WHERE a.legacy_field = 'legacy ' || a.id")).isEqualTo(ROWS);
    assertThat(db.queryLong("SELECT count(*) FROM pg_trigger WHERE tgrelid = '{schema}.users'::regclass"
        + " AND NOT tgisinternal")).as("the archive's trigger went with the column").isZero();
    assertThat(db.queryString("SELECT status FROM {schema}._migration_deprecations")).isEqualTo("removed");
    assertThat(result.steps()).extracting(s -> s.name())
        .containsSubsequence("plan", "deprecate", "deployment", "removal-date", "approval", "archive", "drop");
    RecordedHistories.save(temporal.client(), "expand-contract-parent", ZdmNames.workflowId("drop-legacy"));
    RecordedHistories.save(temporal.client(), "expand-contract-child", ZdmNames.childWorkflowId("drop-legacy", 1, Strategy.EXPAND_CONTRACT));
  }

  @Test
  void rollbackBeforeTheDropRestoresTheColumnsCommentAndClearsTheLedger() {
    MigrationWorkflow workflow = temporal.start("rollback-me", DROP, Strategy.EXPAND_CONTRACT, MigrationOptions.defaults());
    workflow.awaitPlan();
    temporal.awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT.equals(s.waitingFor()));
    workflow.deployed(new DeploymentSignal("v2", null));
    temporal.awaitStatus(workflow, s -> WaitingFor.REMOVAL_DATE.equals(s.waitingFor()));

    workflow.rollback(new RollbackRequest("tester", "changed our mind"));
    MigrationResult result = WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(db.queryString("SELECT col_description('{schema}.users'::regclass, 3)")).isEqualTo("the comment before zdm");
    assertThat(db.queryLong("SELECT count(*) FROM {schema}._migration_deprecations")).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.users WHERE legacy_field IS NOT NULL")).isEqualTo(ROWS);
    assertThatThrownBy(() -> workflow.rollback(new RollbackRequest("tester", "again")))
        .isInstanceOf(RuntimeException.class);
  }

  @Test
  void anUnknownColumnIsRefusedBeforeAnythingChanges() {
    MigrationWorkflow workflow = temporal.start(
        "typo", "ALTER TABLE {schema}.users DROP COLUMN legacy_feild", Strategy.EXPAND_CONTRACT, MigrationOptions.defaults());

    assertThatThrownBy(workflow::awaitPlan)
        .isInstanceOf(WorkflowUpdateException.class)
        .satisfies(e -> assertThat(rootMessage(e)).contains("column legacy_feild does not exist"));
    assertThatThrownBy(() -> WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class))
        .isInstanceOf(WorkflowFailedException.class);
    assertThat(db.queryLong("SELECT count(*) FROM {schema}._migration_deprecations")).isZero();
    assertThat(db.queryString("SELECT col_description('{schema}.users'::regclass, 3)")).isEqualTo("the comment before zdm");
  }

  @Test
  void anOpenBreakerMakesTheMigrationWaitUntilItIsReset() {
    db.execute("UPDATE {schema}._migration_circuit_breakers SET state = 'open'");
    MigrationWorkflow workflow = temporal.start("breaker", DROP, Strategy.EXPAND_CONTRACT, MigrationOptions.defaults());
    workflow.awaitPlan();
    MigrationStatus waiting = temporal.awaitStatus(workflow, s -> WaitingFor.BREAKER.equals(s.waitingFor()));
    assertThat(waiting.message()).contains("zdm breaker reset");
    assertThat(db.queryLong("SELECT count(*) FROM {schema}._migration_deprecations")).isZero();

    db.execute("UPDATE {schema}._migration_circuit_breakers SET state = 'closed', failure_count = 0");
    workflow.breakerReset();
    temporal.awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT.equals(s.waitingFor()));
    assertThat(db.queryLong("SELECT count(*) FROM {schema}._migration_deprecations")).isEqualTo(1);
  }

  @Test
  void aLongTransactionDuringTheDropMakesZdmRetryWithoutBlockingTheApplication() throws Exception {
    MigrationOptions noWindow = MigrationOptions.defaults().withRemovalAfter(Duration.ZERO);
    MigrationWorkflow workflow = temporal.start("contended", DROP, Strategy.EXPAND_CONTRACT, noWindow);
    workflow.awaitPlan();
    temporal.awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT.equals(s.waitingFor()));
    workflow.deployed(new DeploymentSignal("v3", null));
    temporal.awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()));

    AtomicInteger applicationReads = new AtomicInteger();
    AtomicBoolean applicationBlocked = new AtomicBoolean();
    try (Connection holder = db.connection(); Statement hold = holder.createStatement()) {
      holder.setAutoCommit(false);
      hold.execute("SELECT count(*) FROM \"" + db.schema() + "\".users");  // ACCESS SHARE until commit
      workflow.approve(new ApprovalRequest("tester", null));
      // While zdm retries the drop, the application keeps reading: each read would queue behind a
      // waiting ACCESS EXCLUSIVE request if zdm waited longer than its lock_timeout.
      long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      try (Connection app = db.connection(); Statement read = app.createStatement()) {
        read.execute("SET statement_timeout = '2s'");
        while (System.nanoTime() < until) {
          try {
            read.executeQuery("SELECT count(*) FROM \"" + db.schema() + "\".users").close();
            applicationReads.incrementAndGet();
          } catch (java.sql.SQLException e) {
            applicationBlocked.set(true);
          }
        }
      }
      assertThat(db.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_schema = '"
          + db.schema() + "' AND column_name = 'legacy_field' AND table_name = 'users'"))
          .as("the drop cannot happen while the long transaction holds its lock").isEqualTo(1);
      holder.commit();
    }
    MigrationResult result = WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(applicationBlocked).isFalse();
    assertThat(applicationReads.get()).isPositive();
    assertThat(db.queryLong("SELECT count(*) FROM " + usersArchive())).isEqualTo(ROWS);
  }

  @Test
  void aMigrationStartedAgainAfterTheServerLostItsStatePicksUpFromTheLedger() {
    MigrationWorkflow first = temporal.start("lost-state", DROP, Strategy.EXPAND_CONTRACT, MigrationOptions.defaults());
    first.awaitPlan();
    temporal.awaitStatus(first, s -> WaitingFor.DEPLOYMENT.equals(s.waitingFor()));
    String removalDate = db.queryString("SELECT removal_date::text FROM {schema}._migration_deprecations");
    temporal.close();

    // A new Temporal server knows nothing; the database still has the deprecation.
    temporal = new WorkflowTestEnvironment(db);
    MigrationWorkflow again = temporal.start("lost-state", DROP, Strategy.EXPAND_CONTRACT, MigrationOptions.defaults());
    again.awaitPlan();
    temporal.awaitStatus(again, s -> WaitingFor.DEPLOYMENT.equals(s.waitingFor()));
    assertThat(db.queryString("SELECT removal_date::text FROM {schema}._migration_deprecations"))
        .as("the original removal date, not a new one").isEqualTo(removalDate);
    again.deployed(new DeploymentSignal("v1.1", null));
    temporal.env.sleep(Duration.ofDays(31));
    temporal.awaitStatus(again, s -> WaitingFor.APPROVAL.equals(s.waitingFor()));
    again.approve(new ApprovalRequest("tester", null));
    assertThat(WorkflowStub.fromTyped(again).getResult(MigrationResult.class).outcome()).isEqualTo(Outcome.COMPLETED);
    temporal.close();

    // Lost again after the drop: starting once more finds the work done.
    temporal = new WorkflowTestEnvironment(db);
    MigrationWorkflow third = temporal.start("lost-state", DROP, Strategy.EXPAND_CONTRACT, MigrationOptions.defaults());
    third.awaitPlan();
    MigrationResult result = WorkflowStub.fromTyped(third).getResult(MigrationResult.class);
    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(result.message()).contains("already dropped");
    assertThat(db.queryLong("SELECT count(*) FROM " + usersArchive())).isEqualTo(ROWS);
  }

  @Test
  void quotedMixedCaseNamesAreKeptExactlyThroughEveryStep() {
    db.execute("""
        CREATE TABLE {schema}."Order Items" ("Id" int, "Line" int, "Legacy ""Note""\" text, PRIMARY KEY ("Id", "Line"));
        INSERT INTO {schema}."Order Items" SELECT n / 10, n % 10, 'note ' || n FROM generate_series(0, 999) n;
        """);
    MigrationWorkflow workflow = temporal.start("quoted",
        "ALTER TABLE {schema}.\"Order Items\" DROP COLUMN \"Legacy \"\"Note\"\"\"",
        Strategy.EXPAND_CONTRACT, MigrationOptions.defaults().withRemovalAfter(Duration.ZERO));
    workflow.awaitPlan();
    temporal.awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT.equals(s.waitingFor()));
    workflow.deployed(new DeploymentSignal("v1", null));
    temporal.awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()));
    workflow.approve(new ApprovalRequest("tester", null));

    assertThat(WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class).outcome()).isEqualTo(Outcome.COMPLETED);
    String archive = Identifiers.quote(
        ArchiveNames.of(new TableRef(db.schema(), "Order Items"), "Legacy \"Note\"").table());
    assertThat(db.queryLong("SELECT count(*) FROM " + archive + " "
        + "WHERE \"Legacy \"\"Note\"\"\" = 'note ' || (\"Id\" * 10 + \"Line\")")).isEqualTo(1000);
  }

  @Test
  void aPrimaryKeyColumnIsRefused() {
    MigrationWorkflow workflow = temporal.start(
        "pk", "ALTER TABLE {schema}.users DROP COLUMN id", Strategy.EXPAND_CONTRACT, MigrationOptions.defaults());
    assertThatThrownBy(workflow::awaitPlan)
        .isInstanceOf(WorkflowUpdateException.class)
        .satisfies(e -> assertThat(rootMessage(e)).contains("part of the primary key"));
  }

  @Test
  void startingTheSameMigrationTwiceIsRefused() {
    temporal.start("twice", DROP, Strategy.EXPAND_CONTRACT, MigrationOptions.defaults()).awaitPlan();
    assertThatThrownBy(() -> temporal.start("twice", DROP, Strategy.EXPAND_CONTRACT, MigrationOptions.defaults()))
        .isInstanceOf(io.temporal.client.WorkflowExecutionAlreadyStarted.class)
        .hasMessageContaining(ZdmNames.workflowId("twice"));
  }

  /** The archive of users.legacy_field, as zdm names it (a hash of schema, table and column). */
  private String usersArchive() {
    return Identifiers.quote(ArchiveNames.of(new TableRef(db.schema(), "users"), "legacy_field").table());
  }

  private static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getMessage();
  }
}
