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
 * column at the cut-over; an index, constraint, view or referencing foreign key, which dual-write
 * does not recreate yet, is refused by name before anything changes.
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
    DualWriteWorkflow email = start("email", DualWriteKind.RENAME_COLUMN, "email", "email_address", null);
    assertThatThrownBy(() -> WorkflowStub.fromTyped(email).getResult(MigrationResult.class))
        .isInstanceOf(WorkflowFailedException.class)
        .rootCause()
        .hasMessageContaining("dual-write refused: the cut-over drops")
        .hasMessageContaining("index orders_email_key");
    DualWriteWorkflow code = start("code", DualWriteKind.CHANGE_TYPE, "code", null, "varchar(30)");
    assertThatThrownBy(() -> WorkflowStub.fromTyped(code).getResult(MigrationResult.class))
        .rootCause()
        .hasMessageContaining("constraint code_short")
        .hasMessageContaining("constraint orders_code_key")
        .hasMessageContaining("index orders_code_key")
        .hasMessageContaining("shipments_code_fk of")
        .hasMessageContaining("order_codes");
    assertThat(db.column("SELECT attname FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attnum > 0"
        + " AND NOT attisdropped ORDER BY attnum")).containsExactly("id", "quantity", "ticket", "email", "code");
    assertThat(db.count("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'orders'::regclass AND NOT tgisinternal"))
        .isZero();
  }
}
