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
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.RollbackRequest;
import dev.zdm.testing.AccountsTable;
import dev.zdm.testing.AppWriters;
import dev.zdm.testing.TemporalTestEnv;
import dev.zdm.testing.TestDatabase;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The derived-column pattern on the real PostgreSQL while the application inserts rows and
 * updates the source column without knowing of the new one: no stale and no NULL row, before and
 * after the migration; a rollback mid-way leaves the table as it was.
 */
class DerivedColumnWorkflowTest {
  static final int ROWS = 20_000;
  static final String DERIVATION = "amount::bigint * 3 + 1";
  static final BatchSettings BATCHES =
      new BatchSettings(500, 0, null, null, null, null, null, null, Duration.ofMillis(500), null);

  private TestDatabase db;
  private TemporalTestEnv temporal;

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabase.create("derived");
    db.sql(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, amount integer NOT NULL, note text)",
        "INSERT INTO accounts SELECT g, g % 1000, 'seed' FROM generate_series(1, " + ROWS + ") g",
        "ANALYZE accounts");
    temporal = new TemporalTestEnv(
        new Class<?>[] {DualWriteWorkflowImpl.class},
        new DualWriteActivitiesImpl(db.target()),
        new BackfillActivitiesImpl(db.target()),
        new DdlActivitiesImpl(db.target()));
  }

  @AfterEach
  void tearDown() throws Exception {
    temporal.close();
    db.close();
  }

  private DualWriteRequest derive(String id, String expression, BatchSettings batches) {
    return new DualWriteRequest(id, DualWriteKind.DERIVED_COLUMN, new AccountsTable(db).ref(), null,
        "tripled", "bigint", expression, null, null, batches, MigrationOptions.defaults(), null);
  }

  @Test
  void theColumnIsRightForEveryRowWhileTheApplicationWritesAndAfterWithoutAnyGate() throws Exception {
    DualWriteWorkflow workflow = temporal.newWorkflow(DualWriteWorkflow.class, "zdm-derived");
    String table = new AccountsTable(db).qualified();
    try (AppWriters app = new AppWriters(table, "amount", AccountsTable.seedAmounts(ROWS), ROWS + 1, 3).start()) {
      WorkflowClient.start(workflow::run, derive("derived", DERIVATION, BATCHES));
      MigrationResult result = WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class);
      assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
      // The old application goes on inserting without the column, and updating amount.
      app.awaitWrites(300);
      app.close();
      assertThat(app.errors()).as("application errors: %s", app.errorSamples()).isZero();
      assertThat(app.writes()).isGreaterThan(300);
    }
    assertThat(db.count("SELECT count(*) FROM accounts WHERE tripled IS NULL")).isZero();
    assertThat(db.count("SELECT count(*) FROM accounts WHERE tripled IS DISTINCT FROM " + DERIVATION)).isZero();
    assertThat(db.count("SELECT count(*) FROM accounts WHERE note = 'app'")).isPositive();
    assertThat(db.value("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname = 'tripled'"))
        .isEqualTo("t");
    assertThat(db.count("SELECT count(*) FROM pg_constraint WHERE conrelid = 'accounts'::regclass AND contype = 'c'")).isZero();
    // The trigger stays, fires only on UPDATEs of what the expression reads, and says why it is there.
    assertThat(db.column("SELECT tgname FROM pg_trigger WHERE tgrelid = 'accounts'::regclass"))
        .containsExactly("~zdm_derive_accounts_tripled");
    assertThat(db.value("SELECT a.attname FROM pg_trigger t JOIN pg_attribute a ON a.attrelid = t.tgrelid"
        + " AND a.attnum = ANY (t.tgattr) WHERE t.tgrelid = 'accounts'::regclass")).isEqualTo("amount");
    assertThat(db.value("SELECT obj_description(tgfoid, 'pg_proc') FROM pg_trigger WHERE tgrelid = 'accounts'::regclass"))
        .contains("Part of the schema");
    assertThat(db.value("SELECT col_description('accounts'::regclass, attnum) FROM pg_attribute"
        + " WHERE attrelid = 'accounts'::regclass AND attname = 'tripled'")).isNull();
    // A writer that sets the column itself is left alone; one that changes amount gets it recomputed.
    db.sql("INSERT INTO accounts (id, amount, note, tripled) VALUES (-1, 5, 'own', 99)",
        "UPDATE accounts SET amount = 7 WHERE id = 1");
    assertThat(db.value("SELECT tripled FROM accounts WHERE id = -1")).isEqualTo("99");
    assertThat(db.value("SELECT tripled FROM accounts WHERE id = 1")).isEqualTo("22");
  }

  @Test
  void aRollbackDuringTheBackfillLeavesTheTableAsItWas() throws Exception {
    DualWriteWorkflow workflow = temporal.newWorkflow(DualWriteWorkflow.class, "zdm-derived-rollback");
    String table = new AccountsTable(db).qualified();
    List<String> columnsBefore = columns();
    BatchSettings slow = new BatchSettings(100, 20, null, null, false, null, null, null, Duration.ofMillis(500), null);
    try (AppWriters app = new AppWriters(table, "amount", AccountsTable.seedAmounts(ROWS), ROWS + 1, 3).start()) {
      WorkflowClient.start(workflow::run, derive("derived-rollback", DERIVATION, slow));
      awaitStatus(workflow, s -> s.progress() != null && s.progress().rowsDone() > 0, "backfill progress");
      app.awaitWrites(200);
      workflow.rollback(new RollbackRequest("test", "not now"));
      MigrationResult result = WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class);
      assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
      app.awaitWrites(100);
      app.close();
      assertThat(app.errors()).as("application errors: %s", app.errorSamples()).isZero();
      assertThat(Long.parseLong(db.value("SELECT rows_scanned FROM _migration_progress WHERE migration_id = 'derived-rollback'")))
          .as("rolled back mid-way").isLessThan(ROWS);
      assertThat(columns()).isEqualTo(columnsBefore);
      assertThat(db.count("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'accounts'::regclass")).isZero();
      assertThat(db.count("SELECT count(*) FROM pg_proc WHERE proname LIKE '%zdm%derive%' AND pronamespace::regnamespace::text = current_schema()")).isZero();
      Map<Long, Long> actual = new HashMap<>();
      try (var connection = db.connection();
          var statement = connection.createStatement();
          var rows = statement.executeQuery("SELECT id, amount FROM " + table)) {
        while (rows.next()) {
          actual.put(rows.getLong(1), rows.getLong(2));
        }
      }
      assertThat(actual).as("every write kept").isEqualTo(app.expected());
    }
  }

  @Test
  void anExpressionThatReadsAnotherTableThroughAFunctionIsRefusedBeforeAnythingChanges() throws Exception {
    db.sql("CREATE TABLE rates (amount integer PRIMARY KEY, factor bigint)",
        "CREATE FUNCTION rate_of(a integer) RETURNS bigint LANGUAGE sql STABLE AS 'SELECT factor FROM "
            + db.schema() + ".rates WHERE amount = a'");
    List<String> columnsBefore = columns();
    DualWriteWorkflow workflow = temporal.newWorkflow(DualWriteWorkflow.class, "zdm-derived-refused");
    assertThatThrownBy(() -> workflow.run(derive("derived-refused",
        "amount * " + db.schema() + ".rate_of(amount)", BATCHES)))
        .isInstanceOf(WorkflowFailedException.class)
        .rootCause()
        .hasMessageContainingAll("derived column", "tripled", "not computed from the row alone",
            "not immutable", "nothing was changed");
    assertThat(columns()).isEqualTo(columnsBefore);
    assertThat(db.count("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'accounts'::regclass")).isZero();
  }

  private List<String> columns() throws Exception {
    return db.column("SELECT attname FROM pg_attribute WHERE attrelid = 'accounts'::regclass"
        + " AND attnum > 0 AND NOT attisdropped ORDER BY attnum");
  }
}
