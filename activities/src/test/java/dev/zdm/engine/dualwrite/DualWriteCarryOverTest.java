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
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.TableRef;
import dev.zdm.model.WaitingFor;
import dev.zdm.testing.TemporalTestEnv;
import dev.zdm.testing.TestDatabase;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Dual-write carries the old column's indexes, constraints, comment and grants over to the new
 * column, on PostgreSQL with rows written while it runs: after the cut-over each is there under
 * its original name, valid and enforced; a rollback (also one during the carry-over) leaves
 * nothing behind.
 */
class DualWriteCarryOverTest {
  static final BatchSettings BATCHES =
      new BatchSettings(500, 0, null, null, null, null, null, null, Duration.ofMillis(500), null);

  private TestDatabase db;
  private TemporalTestEnv temporal;
  private final String reader = "zdm_carry_reader_" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabase.create("carry_over");
    db.sql("CREATE ROLE " + reader);
    temporal = new TemporalTestEnv(new Class<?>[] {DualWriteWorkflowImpl.class},
        new DualWriteActivitiesImpl(db.target()), new BackfillActivitiesImpl(db.target()),
        new DdlActivitiesImpl(db.target()));
  }

  @AfterEach
  void tearDown() throws Exception {
    temporal.close();
    db.sql("DROP OWNED BY " + reader, "DROP ROLE " + reader);
    db.close();
  }

  private DualWriteWorkflow start(String id, String table, DualWriteKind kind, String oldColumn, String newColumn,
      String newType) {
    DualWriteWorkflow workflow = temporal.newWorkflow(DualWriteWorkflow.class, "zdm-" + id);
    WorkflowClient.start(workflow::run, new DualWriteRequest(id, kind, new TableRef(db.schema(), table),
        oldColumn, newColumn, newType, null, null, null, BATCHES, MigrationOptions.defaults(), null));
    return workflow;
  }

  private void awaitReads(DualWriteWorkflow workflow) throws InterruptedException {
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()), "the reads gate");
  }

  private MigrationResult finish(DualWriteWorkflow workflow) throws Exception {
    workflow.deployed(new DeploymentSignal("v2", "reads"));
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_WRITES.equals(s.waitingFor()), "the writes gate");
    workflow.deployed(new DeploymentSignal("v2", "writes"));
    awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()), "the approval gate");
    workflow.approve(new ApprovalRequest("test", null));
    return WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class);
  }

  /** Every index and constraint of the table with its definition, as PostgreSQL renders them. */
  private List<String> definitions(String table) throws SQLException {
    return db.column("SELECT 'index ' || c.relname || ' ' || i.indisvalid || ': ' || pg_get_indexdef(i.indexrelid)"
        + " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = '" + table + "'::regclass"
        + " UNION ALL SELECT 'constraint ' || conname || ' ' || convalidated || ': ' || pg_get_constraintdef(oid)"
        + " FROM pg_constraint WHERE conrelid = '" + table + "'::regclass ORDER BY 1");
  }

  private String sqlState(String statement) {
    try {
      db.sql(statement);
      return "no error";
    } catch (SQLException e) {
      return e.getSQLState();
    }
  }

  private List<String> leftovers(String table) throws SQLException {
    return db.column("SELECT 'relation ' || relname FROM pg_class WHERE relnamespace = '" + db.schema()
        + "'::regnamespace AND relname LIKE 'zdm_carry_%'"
        + " UNION ALL SELECT 'trigger ' || tgname FROM pg_trigger WHERE tgrelid = '" + table + "'::regclass"
        + " AND NOT tgisinternal"
        + " UNION ALL SELECT 'function ' || proname FROM pg_proc WHERE pronamespace = '" + db.schema()
        + "'::regnamespace AND proname LIKE '%zdm_dw%'"
        + " UNION ALL SELECT 'constraint ' || conname FROM pg_constraint WHERE conrelid = '" + table
        + "'::regclass AND conname LIKE 'zdm_carry_%'");
  }

  @Test
  void aTypeChangeKeepsEveryIndexConstraintCommentAndGrantUnderItsName() throws Exception {
    db.sql("CREATE TABLE orders (id bigint PRIMARY KEY, customer_id integer NOT NULL, note text)",
        "INSERT INTO orders SELECT g, g, 'seed' FROM generate_series(1, 3000) g",
        "ALTER TABLE orders ADD CONSTRAINT orders_customer_key UNIQUE (customer_id)",
        "ALTER TABLE orders ADD CONSTRAINT orders_customer_positive CHECK (customer_id > 0)",
        "CREATE INDEX orders_bucket_idx ON orders ((customer_id % 100)) INCLUDE (note)",
        "CREATE INDEX orders_big_customers_idx ON orders (customer_id DESC) WHERE customer_id > 1000",
        "COMMENT ON COLUMN orders.customer_id IS 'who ordered'",
        "COMMENT ON INDEX orders_bucket_idx IS 'for the bucket report'",
        "GRANT SELECT (customer_id), UPDATE (customer_id) ON orders TO " + reader,
        "ALTER TABLE orders ALTER COLUMN customer_id SET STATISTICS 500");
    List<String> before = definitions("orders");

    DualWriteWorkflow workflow = start("retype", "orders", DualWriteKind.CHANGE_TYPE, "customer_id", null, "bigint");
    awaitReads(workflow);
    // The application writes through the old column while both exist.
    db.sql("INSERT INTO orders (id, customer_id, note) VALUES (5001, 5001, 'during')",
        "UPDATE orders SET customer_id = 6000 WHERE id = 7");
    assertThat(sqlState("INSERT INTO orders (id, customer_id) VALUES (5002, 5001)"))
        .as("the original UNIQUE still holds during the migration").isEqualTo("23505");
    MigrationResult result = finish(workflow);

    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(db.value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
        + " WHERE attrelid = 'orders'::regclass AND attname = 'customer_id'")).isEqualTo("bigint");
    // PostgreSQL resolves the expression again for bigint: the constant gets a cast, nothing else changes.
    assertThat(definitions("orders")).as("same names, same definitions, all valid").isEqualTo(before.stream()
        .map(d -> d.replace("((customer_id % 100))", "((customer_id % (100)::bigint))")).toList());
    assertThat(db.count("SELECT count(*) FROM pg_index WHERE indrelid = 'orders'::regclass AND NOT indisvalid"))
        .isZero();
    assertThat(db.value("SELECT col_description('orders'::regclass, attnum) FROM pg_attribute"
        + " WHERE attrelid = 'orders'::regclass AND attname = 'customer_id'")).isEqualTo("who ordered");
    assertThat(db.value("SELECT obj_description('orders_bucket_idx'::regclass, 'pg_class')"))
        .isEqualTo("for the bucket report");
    assertThat(db.value("SELECT has_column_privilege('" + reader + "', 'orders', 'customer_id', 'SELECT')::text"
        + " || has_column_privilege('" + reader + "', 'orders', 'customer_id', 'UPDATE')::text"))
        .isEqualTo("truetrue");
    assertThat(db.value("SELECT attstattarget FROM pg_attribute WHERE attrelid = 'orders'::regclass"
        + " AND attname = 'customer_id'")).isEqualTo("500");
    assertThat(db.value("SELECT customer_id FROM orders WHERE id = 7")).isEqualTo("6000");
    assertThat(db.value("SELECT customer_id FROM orders WHERE id = 5001")).isEqualTo("5001");
    assertThat(sqlState("INSERT INTO orders (id, customer_id) VALUES (9001, 42)")).isEqualTo("23505");
    assertThat(sqlState("INSERT INTO orders (id, customer_id) VALUES (9002, -1)")).isEqualTo("23514");
    assertThat(sqlState("INSERT INTO orders (id, customer_id) VALUES (9003, 3000000000)")).isEqualTo("no error");
    assertThat(leftovers("orders")).isEmpty();
  }

  @Test
  void aRenameKeepsUniqueCheckExpressionIndexAndDefault() throws Exception {
    db.sql("CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL DEFAULT 'nobody@example.com',"
            + " lower text)",
        "INSERT INTO users SELECT g, 'User' || g || '@example.com', 'x' FROM generate_series(1, 2000) g",
        "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)",
        "ALTER TABLE users ADD CONSTRAINT users_email_check CHECK (email LIKE '%@%' AND email <> 'email')",
        "CREATE UNIQUE INDEX users_email_lower_idx ON users (lower(email))",
        // A column named like the function: lower(lower) reads the column "lower", not email.
        "CREATE INDEX users_lower_idx ON users (lower(lower))");

    DualWriteWorkflow workflow = start("rename", "users", DualWriteKind.RENAME_COLUMN, "email", "email_address", null);
    awaitReads(workflow);
    db.sql("INSERT INTO users (id, email) VALUES (3001, 'during@example.com')");
    MigrationResult result = finish(workflow);

    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(definitions("users")).containsExactly(
        "constraint users_email_check true: CHECK (((email_address ~~ '%@%'::text) AND (email_address <> 'email'::text)))",
        "constraint users_email_key true: UNIQUE (email_address)",
        "constraint users_pkey true: PRIMARY KEY (id)",
        "index users_email_key true: CREATE UNIQUE INDEX users_email_key ON " + db.schema()
            + ".users USING btree (email_address)",
        "index users_email_lower_idx true: CREATE UNIQUE INDEX users_email_lower_idx ON " + db.schema()
            + ".users USING btree (lower(email_address))",
        "index users_lower_idx true: CREATE INDEX users_lower_idx ON " + db.schema()
            + ".users USING btree (lower(lower))",
        "index users_pkey true: CREATE UNIQUE INDEX users_pkey ON " + db.schema() + ".users USING btree (id)");
    db.sql("INSERT INTO users (id) VALUES (4000)");
    assertThat(db.value("SELECT email_address FROM users WHERE id = 4000")).isEqualTo("nobody@example.com");
    assertThat(db.value("SELECT email_address FROM users WHERE id = 3001")).isEqualTo("during@example.com");
    assertThat(sqlState("INSERT INTO users (id, email_address) VALUES (4001, 'USER7@example.com')"))
        .as("the expression index is enforced").isEqualTo("23505");
    assertThat(sqlState("INSERT INTO users (id, email_address) VALUES (4002, 'User8@example.com')"))
        .isEqualTo("23505");
    assertThat(sqlState("INSERT INTO users (id, email_address) VALUES (4003, 'no-at-sign')")).isEqualTo("23514");
    assertThat(leftovers("users")).isEmpty();
  }

  @Test
  void anOutgoingForeignKeyIsAddedNotValidValidatedAndEnforced() throws Exception {
    db.sql("CREATE TABLE customers (id integer PRIMARY KEY)",
        "INSERT INTO customers SELECT generate_series(1, 100)",
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id integer REFERENCES customers (id))",
        "INSERT INTO orders SELECT g, g % 100 + 1 FROM generate_series(1, 2000) g");

    DualWriteWorkflow workflow = start("fk", "orders", DualWriteKind.CHANGE_TYPE, "customer_id", null, "bigint");
    awaitReads(workflow);
    assertThat(db.value("SELECT convalidated::text FROM pg_constraint WHERE conrelid = 'orders'::regclass"
        + " AND conname LIKE 'zdm_carry_%'")).as("the copy is validated before the reads gate").isEqualTo("true");
    MigrationResult result = finish(workflow);

    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(definitions("orders")).contains("constraint orders_customer_id_fkey true: FOREIGN KEY (customer_id)"
        + " REFERENCES customers(id)");
    assertThat(sqlState("INSERT INTO orders (id, customer_id) VALUES (9001, 500)")).isEqualTo("23503");
    assertThat(sqlState("DELETE FROM customers WHERE id = 1")).isEqualTo("23503");
  }

  @Test
  void anotherBeforeTriggerThatRewritesTheOldColumnRunsFirst() throws Exception {
    db.sql("CREATE TABLE users (id bigint PRIMARY KEY, email text)",
        "INSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 100) g",
        "CREATE FUNCTION normalize_email() RETURNS trigger LANGUAGE plpgsql AS"
            + " $$BEGIN NEW.email := lower(NEW.email); RETURN NEW; END$$",
        // "a" sorts after "_" and before "~": zdm's trigger must still see the rewritten value.
        "CREATE TRIGGER a_normalize_email BEFORE INSERT OR UPDATE ON users FOR EACH ROW"
            + " EXECUTE FUNCTION normalize_email()");

    DualWriteWorkflow workflow = start("order", "users", DualWriteKind.RENAME_COLUMN, "email", "email_address", null);
    awaitReads(workflow);
    db.sql("INSERT INTO users (id, email) VALUES (500, 'MiXeD@Example.COM')",
        "UPDATE users SET email = 'UPPER@X' WHERE id = 1");

    assertThat(db.column("SELECT email || ' ' || email_address FROM users WHERE id IN (1, 500) ORDER BY id"))
        .containsExactly("upper@x upper@x", "mixed@example.com mixed@example.com");
    workflow.rollback(new RollbackRequest("test", null));
    assertThat(WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class).outcome())
        .isEqualTo(Outcome.ROLLED_BACK);
  }

  @Test
  void aTriggerInstalledUnderTheLegacyNameIsDroppedByTheUndoAndByTheCutOver() throws Exception {
    db.sql("CREATE TABLE users (id bigint PRIMARY KEY, email text, code text)",
        "INSERT INTO users SELECT g, 'u' || g, 'c' || g FROM generate_series(1, 100) g");
    DualWriteWorkflow undone = start("legacy-undo", "users", DualWriteKind.RENAME_COLUMN, "email", "mail", null);
    awaitReads(undone);
    renameToLegacy("users", "mail");
    undone.rollback(new RollbackRequest("test", null));
    assertThat(WorkflowStub.fromTyped(undone).getResult(MigrationResult.class).outcome())
        .isEqualTo(Outcome.ROLLED_BACK);
    assertThat(leftovers("users")).isEmpty();

    DualWriteWorkflow cut = start("legacy-cut", "users", DualWriteKind.RENAME_COLUMN, "code", "code_no", null);
    awaitReads(cut);
    renameToLegacy("users", "code_no");
    assertThat(finish(cut).outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(leftovers("users")).isEmpty();
    db.sql("INSERT INTO users (id, code_no) VALUES (1000, 'x')");
  }

  /** What a run planned by release 0.2 has: zdm's trigger and function under the old prefix. */
  private void renameToLegacy(String table, String newColumn) throws SQLException {
    String name = "~zdm_dw_" + table + "_" + newColumn;
    String legacy = "_zdm_dw_" + table + "_" + newColumn;
    db.sql("ALTER TRIGGER \"" + name + "\" ON " + table + " RENAME TO \"" + legacy + "\"",
        "ALTER FUNCTION \"" + name + "\"() RENAME TO \"" + legacy + "\"");
    assertThat(db.column("SELECT tgname FROM pg_trigger WHERE tgrelid = '" + table + "'::regclass"))
        .containsExactly(legacy);
  }

  @Test
  void aRollbackAfterTheCarryOverRemovesEveryCarriedObject() throws Exception {
    db.sql("CREATE TABLE orders (id bigint PRIMARY KEY, customer_id integer)",
        "INSERT INTO orders SELECT g, g FROM generate_series(1, 2000) g",
        "CREATE INDEX orders_customer_idx ON orders (customer_id) WHERE customer_id > 10",
        "ALTER TABLE orders ADD CONSTRAINT orders_customer_key UNIQUE (customer_id)",
        "ALTER TABLE orders ADD CONSTRAINT orders_customer_check CHECK (customer_id <> 0)",
        "GRANT SELECT (customer_id) ON orders TO " + reader);
    List<String> before = definitions("orders");
    DualWriteWorkflow workflow = start("undo-carried", "orders", DualWriteKind.CHANGE_TYPE, "customer_id", null,
        "bigint");
    awaitReads(workflow);
    assertThat(leftovers("orders")).as("two indexes and a check carried, the trigger and its function")
        .hasSize(5);

    workflow.rollback(new RollbackRequest("test", null));

    assertThat(WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class).outcome())
        .isEqualTo(Outcome.ROLLED_BACK);
    assertThat(leftovers("orders")).isEmpty();
    assertThat(definitions("orders")).isEqualTo(before);
  }

  @Test
  void aCarriedCopyDroppedByHandStopsTheCutOver() throws Exception {
    db.sql("CREATE TABLE orders (id bigint PRIMARY KEY, customer_id integer)",
        "INSERT INTO orders SELECT g, g FROM generate_series(1, 500) g",
        "CREATE INDEX orders_customer_idx ON orders (customer_id)");
    DualWriteWorkflow workflow = start("copy-dropped", "orders", DualWriteKind.CHANGE_TYPE, "customer_id", null,
        "bigint");
    awaitReads(workflow);
    String copy = db.value("SELECT relname FROM pg_class WHERE relname LIKE 'zdm_carry_%' AND relnamespace = '"
        + db.schema() + "'::regnamespace");
    db.sql("DROP INDEX \"" + copy + "\"");

    assertThatThrownBy(() -> finish(workflow))
        .rootCause()
        .hasMessageContaining("fidelity check failed before the cut-over")
        .hasMessageContaining("index orders_customer_idx on customer_id has no valid copy " + copy);
    assertThat(db.value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
        + " WHERE attrelid = 'orders'::regclass AND attname = 'customer_id'")).isEqualTo("integer");
    assertThat(db.count("SELECT count(*) FROM pg_index WHERE indexrelid = 'orders_customer_idx'::regclass"))
        .isEqualTo(1);
  }

  @Test
  void aRollbackDuringTheCarryOverLeavesNothingBehind() throws Exception {
    db.sql("CREATE TABLE orders (id bigint PRIMARY KEY, customer_id integer)",
        "INSERT INTO orders SELECT g, g FROM generate_series(1, 2000) g",
        "CREATE INDEX orders_customer_idx ON orders (customer_id)",
        "ALTER TABLE orders ADD CONSTRAINT orders_customer_key UNIQUE (customer_id)",
        "CREATE TABLE elsewhere (id integer)");
    List<String> before = definitions("orders");
    DualWriteWorkflow workflow;
    // A transaction with an old snapshot (on another table: it must not block the ADD COLUMN)
    // keeps the concurrent build waiting, so the rollback arrives while it runs.
    try (Connection holder = db.oldTransaction("elsewhere")) {
      workflow = start("cancel-carry", "orders", DualWriteKind.CHANGE_TYPE, "customer_id", null, "bigint");
      awaitStatus(workflow, s -> "carrying-over".equals(s.phase()), "the carry-over");
      awaitBuildStarted();
      workflow.rollback(new RollbackRequest("test", null));
      awaitBuildGone();
      holder.rollback();
    }
    assertThat(WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class).outcome())
        .isEqualTo(Outcome.ROLLED_BACK);
    assertThat(leftovers("orders")).isEmpty();
    assertThat(definitions("orders")).isEqualTo(before);
    assertThat(db.count("SELECT count(*) FROM pg_attribute WHERE attrelid = 'orders'::regclass"
        + " AND attname = 'customer_id_zdm_new' AND NOT attisdropped")).isZero();
  }

  private void awaitBuildStarted() throws Exception {
    for (int i = 0; i < 600 && db.count("SELECT count(*) FROM pg_stat_progress_create_index p JOIN pg_class c"
        + " ON c.oid = p.relid WHERE c.relnamespace = '" + db.schema() + "'::regnamespace") == 0; i++) {
      Thread.sleep(100);
    }
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relnamespace = '" + db.schema()
        + "'::regnamespace AND relname LIKE 'zdm_carry_%'")).as("the carried index is being built").isEqualTo(1);
  }

  private void awaitBuildGone() throws Exception {
    for (int i = 0; i < 600 && db.count("SELECT count(*) FROM pg_stat_progress_create_index p JOIN pg_class c"
        + " ON c.oid = p.relid WHERE c.relnamespace = '" + db.schema() + "'::regnamespace") > 0; i++) {
      Thread.sleep(100);
    }
  }
}
