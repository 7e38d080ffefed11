package dev.zdm.engine.bluegreen;

import static dev.zdm.testing.TemporalTestEnv.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.bluegreen.BlueGreenRequest;
import dev.zdm.bluegreen.BlueGreenWorkflow;
import dev.zdm.bluegreen.BlueGreenWorkflowImpl;
import dev.zdm.engine.activities.DdlActivitiesImpl;
import dev.zdm.engine.backfill.BackfillActivitiesImpl;
import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.TableRef;
import dev.zdm.model.WaitingFor;
import dev.zdm.testing.AccountsTable;
import dev.zdm.testing.AppWriters;
import dev.zdm.testing.TemporalTestEnv;
import dev.zdm.testing.TestDatabase;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Blue-green end to end on the real PostgreSQL, with the application inserting, updating and deleting throughout. */
class BlueGreenWorkflowTest {
  static final int ROWS = 20_000;
  static final List<String> CHANGES = List.of(
      "ALTER TABLE accounts ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY",
      "VACUUM FULL accounts");

  private TestDatabase db;
  private TemporalTestEnv temporal;

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabase.create("bluegreen");
    db.sql(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, amount bigint NOT NULL, note text)",
        "INSERT INTO accounts SELECT g, g % 1000, 'seed' FROM generate_series(1, " + ROWS + ") g",
        "ANALYZE accounts");
    temporal = new TemporalTestEnv(
        new Class<?>[] {BlueGreenWorkflowImpl.class},
        new BlueGreenActivitiesImpl(db.target()),
        new BackfillActivitiesImpl(db.target()),
        new DdlActivitiesImpl(db.target()));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (temporal != null) {
      temporal.close();
    }
    db.close();
  }

  private TableRef accounts() {
    return new AccountsTable(db).ref();
  }

  private String qualified() {
    return new AccountsTable(db).qualified();
  }

  private static Map<Long, Long> seed() {
    return AccountsTable.seedAmounts(ROWS);
  }

  private BlueGreenRequest request(String id, List<String> changes) {
    return new BlueGreenRequest(id, accounts(), changes, MigrationOptions.defaults());
  }

  @Test
  void completesWithEveryWriteOfTheApplication() throws Exception {
    BlueGreenWorkflow workflow = temporal.newWorkflow(BlueGreenWorkflow.class, "zdm-bg-complete");
    try (AppWriters app = new AppWriters(qualified(), "amount", seed(), ROWS + 1, 3).start()) {
      WorkflowClient.start(workflow::run, request("bg-complete", CHANGES));
      awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()), "the approval gate");
      // Switched: the application now writes the green copy; the reverse sync keeps the old one current.
      assertThat(columns("accounts")).containsExactly("id", "amount", "note", "seq");
      app.awaitWrites(300);
      assertThat(db.count("SELECT count(*) FROM (SELECT id, amount, note FROM accounts"
          + " EXCEPT SELECT id, amount, note FROM accounts_zdm_old) d")).isZero();
      assertThat(db.count("SELECT count(*) FROM (SELECT id, amount, note FROM accounts_zdm_old"
          + " EXCEPT SELECT id, amount, note FROM accounts) d")).isZero();
      workflow.approve(new ApprovalRequest("test", "go"));

      MigrationResult result = WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class);
      assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
      // The copy and the comparison ran as passes of the batch engine, each with its progress row.
      assertThat(db.column("SELECT step || ' ' || status FROM _migration_progress"
          + " WHERE migration_id = 'bg-complete' AND rows_scanned >= " + ROWS + " ORDER BY step"))
          .containsExactly("blue-green-copy completed", "blue-green-verify completed");
      app.awaitWrites(100);
      app.close();

      assertThat(app.errors()).as("application errors: %s", app.errorSamples()).isZero();
      assertThat(columns("accounts")).containsExactly("id", "amount", "note", "seq");
      assertThat(db.count("SELECT count(*) FROM pg_class WHERE relnamespace = '" + db.schema()
          + "'::regnamespace AND relname LIKE 'accounts_zdm_%' AND relkind = 'r'")).isZero();
      assertThat(db.count("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'accounts'::regclass")).isZero();
      assertThat(db.column("SELECT conname FROM pg_constraint WHERE conrelid = 'accounts'::regclass"))
          .containsExactly("accounts_pkey");
      assertThat(db.count("SELECT count(*) FROM accounts WHERE seq IS NULL")).isZero();
      assertThat(db.count("SELECT count(DISTINCT seq) FROM accounts")).isEqualTo(db.count("SELECT count(*) FROM accounts"));
      assertTableHolds(app.expected());
    }
  }

  @Test
  void rollbackAfterTheSwitchRestoresTheOriginalTableWithEveryWrite() throws Exception {
    BlueGreenWorkflow workflow = temporal.newWorkflow(BlueGreenWorkflow.class, "zdm-bg-rollback");
    long originalOid = db.count("SELECT 'accounts'::regclass::oid::bigint");
    try (AppWriters app = new AppWriters(qualified(), "amount", seed(), ROWS + 1, 3).start()) {
      WorkflowClient.start(workflow::run, request("bg-rollback", CHANGES));
      awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()), "the approval gate");
      assertThat(db.count("SELECT 'accounts'::regclass::oid::bigint")).isNotEqualTo(originalOid);
      // Writes that reach only the green copy must survive the swap back.
      app.awaitWrites(300);
      workflow.rollback(new RollbackRequest("test", "changed my mind"));

      MigrationResult result = WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class);
      assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
      app.awaitWrites(100);
      app.close();

      assertThat(app.errors()).as("application errors: %s", app.errorSamples()).isZero();
      assertThat(db.count("SELECT 'accounts'::regclass::oid::bigint")).isEqualTo(originalOid);
      assertThat(columns("accounts")).containsExactly("id", "amount", "note");
      assertThat(db.count("SELECT count(*) FROM pg_class WHERE relnamespace = '" + db.schema()
          + "'::regnamespace AND relname LIKE 'accounts_zdm_%'")).isZero();
      assertThat(db.count("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'accounts'::regclass")).isZero();
      assertThat(db.count("SELECT count(*) FROM pg_proc WHERE pronamespace = '" + db.schema()
          + "'::regnamespace AND proname LIKE '_zdm_bg_%'")).isZero();
      assertTableHolds(app.expected());
    }
  }

  @Test
  void refusesATableWithoutPrimaryKeyAndChangesItCannotRetarget() throws Exception {
    db.sql("CREATE TABLE nokey (amount bigint)");
    BlueGreenWorkflow noKey = temporal.newWorkflow(BlueGreenWorkflow.class, "zdm-bg-nokey");
    assertThatThrownBy(() -> noKey.run(new BlueGreenRequest(
        "bg-nokey", new TableRef(db.schema(), "nokey"), List.of("VACUUM FULL nokey"), MigrationOptions.defaults())))
        .isInstanceOf(WorkflowFailedException.class)
        .rootCause()
        .hasMessageContaining("has no primary key");

    BlueGreenWorkflow other = temporal.newWorkflow(BlueGreenWorkflow.class, "zdm-bg-other");
    assertThatThrownBy(() -> other.run(request("bg-other", List.of("CLUSTER accounts USING accounts_pkey"))))
        .isInstanceOf(WorkflowFailedException.class)
        .rootCause()
        .hasMessageContaining("applies only `ALTER TABLE");
    BlueGreenWorkflow elsewhere = temporal.newWorkflow(BlueGreenWorkflow.class, "zdm-bg-elsewhere");
    assertThatThrownBy(() -> elsewhere.run(request("bg-elsewhere", List.of("ALTER TABLE nokey ADD COLUMN x int"))))
        .isInstanceOf(WorkflowFailedException.class)
        .rootCause()
        .hasMessageContaining("names another table");
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relnamespace = '" + db.schema()
        + "'::regnamespace AND relname LIKE '%zdm_green%'")).isZero();
  }

  @Test
  void aCopyPostgresRefusesFailsTheRunAndLeavesTheTableAsItWas() throws Exception {
    BlueGreenWorkflow workflow = temporal.newWorkflow(BlueGreenWorkflow.class, "zdm-bg-refused");
    // Accepted by the empty green copy, refused for the existing rows when they are copied.
    assertThatThrownBy(() -> workflow.run(request("bg-refused",
        List.of("ALTER TABLE accounts ADD CONSTRAINT no_seed CHECK (note <> 'seed')"))))
        .isInstanceOf(WorkflowFailedException.class)
        .rootCause()
        .hasMessageContaining("no_seed");
    assertThat(workflow.status().phase()).isEqualTo("failed");
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relnamespace = '" + db.schema()
        + "'::regnamespace AND relname LIKE 'accounts_zdm_%'")).isZero();
    assertThat(db.count("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'accounts'::regclass")).isZero();
    assertThat(db.count("SELECT count(*) FROM accounts")).isEqualTo(ROWS);
  }

  private List<String> columns(String table) throws Exception {
    return db.column("SELECT attname FROM pg_attribute WHERE attrelid = '" + table
        + "'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum");
  }

  private void assertTableHolds(Map<Long, Long> expected) throws Exception {
    Map<Long, Long> actual = new HashMap<>();
    try (var connection = db.connection();
        var statement = connection.createStatement();
        var rows = statement.executeQuery("SELECT id, amount FROM " + qualified())) {
      while (rows.next()) {
        actual.put(rows.getLong(1), rows.getLong(2));
      }
    }
    assertThat(actual).as("every write kept, none lost, none stale, none resurrected").isEqualTo(expected);
  }
}
