package dev.zdm.engine.dualwrite;

import static dev.zdm.testing.TemporalTestEnv.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.backfill.BatchSettings;
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
import dev.zdm.testing.TemporalTestEnv;
import dev.zdm.testing.TestDatabase;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What hangs on the old column, on PostgreSQL: its DEFAULT and serial sequence move to the new
 * column at the cut-over; a view or referencing foreign key, which dual-write does not recreate,
 * a primary-key column and an index the new type cannot take are refused by name before anything
 * changes (what it does carry over: DualWriteCarryOverTest).
 */
class DualWriteOldColumnTest {
  static final BatchSettings BATCHES =
      new BatchSettings(500, 0, null, null, null, null, null, null, Duration.ofMillis(500), null);

  private TestDatabase db;
  private TemporalTestEnv temporal;

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabase.create("old_column");
    db.sql(
        "CREATE TABLE orders (id bigint PRIMARY KEY, quantity integer NOT NULL DEFAULT 1, ticket serial,"
            + " email text, code text)",
        "INSERT INTO orders (id, email, code) SELECT g, 'e' || g, 'c' || g FROM generate_series(1, 1000) g",
        "CREATE UNIQUE INDEX orders_email_key ON orders (lower(email))",
        "ALTER TABLE orders ADD CONSTRAINT code_short CHECK (length(code) < 20)",
        "CREATE VIEW order_codes AS SELECT id, code FROM orders",
        "CREATE TABLE shipments (code text)",
        "ALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE (code)",
        "ALTER TABLE shipments ADD CONSTRAINT shipments_code_fk FOREIGN KEY (code) REFERENCES orders (code)");
    temporal = new TemporalTestEnv(new Class<?>[] {DualWriteWorkflowImpl.class},
        new DualWriteActivitiesImpl(db.target()), new BackfillActivitiesImpl(db.target()),
        new DdlActivitiesImpl(db.target()));
  }

  @AfterEach
  void tearDown() throws Exception {
    temporal.close();
    db.close();
  }

  private DualWriteWorkflow start(String id, DualWriteKind kind, String oldColumn, String newColumn, String newType) {
    DualWriteWorkflow workflow = temporal.newWorkflow(DualWriteWorkflow.class, "zdm-" + id);
    WorkflowClient.start(workflow::run, new DualWriteRequest(id, kind, new TableRef(db.schema(), "orders"),
        oldColumn, newColumn, newType, null, null, null, BATCHES, MigrationOptions.defaults(), null));
    return workflow;
  }

  private MigrationResult complete(DualWriteWorkflow workflow) throws Exception {
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()), "the reads gate");
    workflow.deployed(new DeploymentSignal("v2", "reads"));
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_WRITES.equals(s.waitingFor()), "the writes gate");
    workflow.deployed(new DeploymentSignal("v2", "writes"));
    awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()), "the approval gate");
    workflow.approve(new ApprovalRequest("test", null));
    return WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class);
  }

  @Test
  void theDefaultMovesToTheNewColumnAtTheCutOver() throws Exception {
    MigrationResult result = complete(start("retype", DualWriteKind.CHANGE_TYPE, "quantity", null, "bigint"));
    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    db.sql("INSERT INTO orders (id) VALUES (5000)");
    assertThat(db.value("SELECT quantity::text || ' ' || pg_typeof(quantity) FROM orders WHERE id = 5000"))
        .isEqualTo("1 bigint");
  }

  @Test
  void aSerialColumnKeepsItsSequenceWhenRenamed() throws Exception {
    MigrationResult result = complete(start("rename", DualWriteKind.RENAME_COLUMN, "ticket", "ticket_no", null));
    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    db.sql("INSERT INTO orders (id) VALUES (5000)");
    assertThat(db.value("SELECT ticket_no FROM orders WHERE id = 5000")).isEqualTo("1001");
    assertThat(db.value("SELECT pg_get_serial_sequence('orders', 'ticket_no')")).endsWith("orders_ticket_seq");
  }

  @Test
  void whatDualWriteCannotRecreateIsRefusedByNameBeforeAnythingChanges() throws Exception {
    DualWriteWorkflow code = start("code", DualWriteKind.CHANGE_TYPE, "code", null, "varchar(30)");
    assertThatThrownBy(() -> WorkflowStub.fromTyped(code).getResult(MigrationResult.class))
        .isInstanceOf(WorkflowFailedException.class)
        .rootCause()
        .hasMessageContaining("dual-write refused: the cut-over drops")
        .hasMessageContaining("foreign key shipments_code_fk of " + db.schema() + ".shipments references code")
        .hasMessageContaining("view " + db.schema() + ".order_codes reads code")
        .hasMessageContaining("Nothing was changed")
        // Carried over, so not in the refusal.
        .satisfies(failure -> assertThat(failure.getMessage()).doesNotContain("code_short")
            .doesNotContain("orders_code_key"));
    assertThat(db.column("SELECT attname FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attnum > 0"
        + " AND NOT attisdropped ORDER BY attnum")).containsExactly("id", "quantity", "ticket", "email", "code");
    assertThat(db.count("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'orders'::regclass AND NOT tgisinternal"))
        .isZero();
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname LIKE 'zdm_carry_%'")).isZero();
  }

  @Test
  void aPrimaryKeyColumnIsRefusedWithTheWayOut() throws Exception {
    DualWriteWorkflow key = start("key", DualWriteKind.CHANGE_TYPE, "id", null, "numeric");
    assertThatThrownBy(() -> WorkflowStub.fromTyped(key).getResult(MigrationResult.class))
        .rootCause()
        .hasMessageContaining("id is part of the primary key")
        .hasMessageContaining("Ways out")
        .hasMessageContaining("PRIMARY KEY USING INDEX");
  }

  @Test
  void anIndexTheNewTypeCannotTakeIsRefusedAtPlanningNamingIt() throws Exception {
    db.sql("DROP INDEX orders_email_key", "CREATE INDEX orders_email_pattern_idx ON orders (email text_pattern_ops)");
    DualWriteWorkflow email = start("opclass", DualWriteKind.CHANGE_TYPE, "email", null, "integer");
    assertThatThrownBy(() -> WorkflowStub.fromTyped(email).getResult(MigrationResult.class))
        .rootCause()
        .hasMessageContaining("index orders_email_pattern_idx of")
        .hasMessageContaining("cannot be recreated on email_zdm_new integer");
    assertThat(db.count("SELECT count(*) FROM pg_attribute WHERE attrelid = 'orders'::regclass"
        + " AND attname = 'email_zdm_new'")).isZero();
  }
}
