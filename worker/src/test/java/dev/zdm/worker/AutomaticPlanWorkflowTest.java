package dev.zdm.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.migration.MigrationWorkflow;
import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.WaitingFor;
import dev.zdm.model.plan.Plan;
import dev.zdm.model.plan.PlanStep;
import dev.zdm.testing.TestDatabase;
import io.temporal.client.WorkflowStub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * `zdm start FILE` without --strategy: the parent plans the raw SQL and runs every step with the
 * workflow the planner chose — the same file a user would hand Flyway.
 */
class AutomaticPlanWorkflowTest {
  private static final int ROWS = 3_000;

  private TestDatabase db;
  private WorkflowTestEnvironment temporal;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create("auto_plan");
    db.execute("""
        CREATE TABLE {schema}.customers (id bigint PRIMARY KEY, name text);
        INSERT INTO {schema}.customers SELECT n, 'c' || n FROM generate_series(1, 100) n;
        CREATE TABLE {schema}.orders (
          id bigint PRIMARY KEY, customer_id bigint, quantity int, status text, note text);
        INSERT INTO {schema}.orders
          SELECT n, 1 + n %% 100, n %% 7, CASE WHEN n %% 2 = 0 THEN 'open' END, 'n' || n
          FROM generate_series(1, %d) n;
        """.formatted(ROWS));
    temporal = new WorkflowTestEnvironment(db);
  }

  @AfterEach
  void tearDown() {
    if (temporal != null) {
      temporal.close();
    }
    db.close();
  }

  @Test
  void aMixedFileRunsEachStatementWithItsOwnStrategyInFileOrder() {
    String sql = """
        BEGIN;
        CREATE TABLE {schema}.audit (id bigserial PRIMARY KEY, what text);
        CREATE INDEX orders_customer ON {schema}.orders (customer_id);
        UPDATE {schema}.orders SET status = 'unknown' WHERE status IS NULL;
        ALTER TABLE {schema}.orders ALTER COLUMN status SET NOT NULL;
        ALTER TABLE {schema}.orders ADD CONSTRAINT orders_customer_fk
          FOREIGN KEY (customer_id) REFERENCES {schema}.customers (id);
        ALTER TABLE {schema}.orders ADD CONSTRAINT orders_quantity_positive CHECK (quantity >= 0);
        COMMIT;
        """;
    MigrationWorkflow workflow = temporal.start("mixed", sql, null, MigrationOptions.defaults());
    Plan plan = workflow.awaitPlan();
    assertThat(plan.steps()).extracting(PlanStep::describe)
        .hasSize(6)
        .first().asString().startsWith("run as is");
    assertThat(plan.warnings()).anyMatch(w -> w.contains("'BEGIN' dropped"));

    MigrationResult result = WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(db.queryLong("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        + "WHERE c.relname = 'orders_customer' AND i.indisvalid")).isEqualTo(1);
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.orders WHERE status = 'unknown'")).isEqualTo(ROWS / 2);
    assertThat(db.queryString("SELECT is_nullable FROM information_schema.columns WHERE table_schema = '"
        + db.schema() + "' AND table_name = 'orders' AND column_name = 'status'")).isEqualTo("NO");
    assertThat(db.queryLong("SELECT count(*) FROM pg_constraint WHERE conrelid = '{schema}.orders'::regclass "
        + "AND convalidated AND conname IN ('orders_customer_fk', 'orders_quantity_positive')")).isEqualTo(2);
    assertThat(db.queryLong("SELECT count(*) FROM pg_constraint WHERE conrelid = '{schema}.orders'::regclass "
        + "AND conname LIKE '%not_null%'")).as("the stand-in check is dropped").isZero();
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.audit")).isZero();
    RecordedHistories.save(temporal.client(), "automatic-plan-parent", "zdm-mixed");
    RecordedHistories.save(temporal.client(), "progressive-index", "zdm-mixed-2-progressive");
    RecordedHistories.save(temporal.client(), "progressive-batched-update", "zdm-mixed-3-progressive");
  }

  @Test
  void aTypeChangeRunsAsDualWriteThroughItsDeploymentGates() {
    MigrationWorkflow workflow = temporal.start("widen",
        "ALTER TABLE {schema}.orders ALTER COLUMN quantity TYPE bigint;", null, MigrationOptions.defaults());
    assertThat(workflow.awaitPlan().steps()).singleElement()
        .satisfies(step -> assertThat(step.describe()).contains("dual-write"));

    temporal.awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()));
    db.execute("INSERT INTO {schema}.orders (id, customer_id, quantity, status) VALUES (900001, 1, 42, 'open')");
    workflow.deployed(new DeploymentSignal("v2", "reads"));
    temporal.awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_WRITES.equals(s.waitingFor()));
    workflow.deployed(new DeploymentSignal("v3", "writes"));
    temporal.awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()));
    workflow.approve(new ApprovalRequest("tester", null));

    assertThat(WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class).outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(db.queryString("SELECT data_type FROM information_schema.columns WHERE table_schema = '"
        + db.schema() + "' AND table_name = 'orders' AND column_name = 'quantity'")).isEqualTo("bigint");
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.orders WHERE id <= " + ROWS + " AND quantity = id % 7"))
        .isEqualTo(ROWS);
    assertThat(db.queryLong("SELECT quantity FROM {schema}.orders WHERE id = 900001")).isEqualTo(42);
    RecordedHistories.save(temporal.client(), "dual-write-parent", "zdm-widen");
    RecordedHistories.save(temporal.client(), "dual-write-child", "zdm-widen-1-dual-write");
  }

  @Test
  void aTableRewriteRunsAsBlueGreenAndSwitchesOnlyAfterApproval() {
    MigrationWorkflow workflow = temporal.start("rewrite",
        "VACUUM FULL {schema}.customers;", null, MigrationOptions.defaults());
    assertThat(workflow.awaitPlan().steps()).singleElement()
        .satisfies(step -> assertThat(step.describe()).contains("blue-green"));
    temporal.awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()));
    db.execute("INSERT INTO {schema}.customers VALUES (101, 'written during the switch window')");
    workflow.approve(new ApprovalRequest("tester", null));

    assertThat(WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class).outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.customers")).isEqualTo(101);
    assertThat(db.queryString("SELECT name FROM {schema}.customers WHERE id = 101")).isEqualTo("written during the switch window");
    assertThat(db.queryLong("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        + "WHERE n.nspname = '" + db.schema() + "' AND c.relname LIKE 'customers\\_zdm%'"))
        .as("no green or old copy left behind").isZero();
    RecordedHistories.save(temporal.client(), "blue-green-child", "zdm-rewrite-1-blue-green");
  }

  @Test
  void anUnsafeStatementWithoutAPlanIsRefusedBeforeAnythingRuns() {
    MigrationWorkflow workflow = temporal.start("refused", """
        CREATE INDEX orders_note ON {schema}.orders (note);
        TRUNCATE {schema}.orders;
        """, null, MigrationOptions.defaults());
    org.assertj.core.api.Assertions.assertThatThrownBy(workflow::awaitPlan)
        .hasStackTraceContaining("TRUNCATE");
    assertThat(db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'orders_note'")).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.orders")).isEqualTo(ROWS);
  }
}
