package dev.zdm.engine.expandcontract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.backfill.BackfillChunk;
import dev.zdm.backfill.BackfillRequest;
import dev.zdm.backfill.BatchChange;
import dev.zdm.backfill.BatchSettings;
import dev.zdm.engine.backfill.BackfillActivitiesImpl;
import dev.zdm.expandcontract.ExpandContractRequest;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.TableRef;
import dev.zdm.testing.AccountsTable;
import dev.zdm.testing.AppWriters;
import dev.zdm.testing.TestDatabase;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The archive kept current by a trigger (zdm-archive-trigger) on PostgreSQL: equal to the column
 * under application writes through the copy, the verification and the drop; collision-free names
 * whose owner comments every undo checks; its own columns never clashing with the table's.
 */
class KeptArchiveTest {
  private static final int SEED_ROWS = 8_000;

  private TestDatabase db;
  private ExpandContractActivitiesImpl activities;
  private BackfillActivitiesImpl engine;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create("kept_archive");
    activities = new ExpandContractActivitiesImpl(db.target());
    engine = new BackfillActivitiesImpl(db.target());
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void afterTheDropTheArchiveHoldsEachRowsLastValueThoughTheApplicationWroteItThroughout() throws Exception {
    AccountsTable accounts = new AccountsTable(db);
    db.sql("CREATE TABLE accounts (id bigint PRIMARY KEY, amount bigint, note text)",
        "INSERT INTO accounts SELECT g, g % 1000, 'seed' FROM generate_series(1, " + SEED_ROWS + ") g");
    ExpandContractRequest dropAmount = request("ec-kept", accounts.ref(), "amount");
    Map<Long, Long> expected;
    long stale;
    try (AppWriters app = new AppWriters(accounts.qualified(), "amount",
        AccountsTable.seedAmounts(SEED_ROWS), SEED_ROWS + 1, 4).start()) {
      app.awaitWrites(100);
      TableRef archive = activities.createKeptArchive(dropAmount);
      BackfillRequest copy = copy(dropAmount, archive);
      app.awaitWrites(100);
      BackfillChunk chunk = engine.runChunk(copy);
      while (chunk.end() != BackfillChunk.End.FINISHED) {
        app.awaitWrites(20);
        chunk = engine.runChunk(copy);
      }
      app.awaitWrites(200);
      assertThat(engine.verify(copy).mismatches())
          .as("values written after their batch was copied are archived too").isZero();
      app.awaitWrites(200);
      dropWhileTheApplicationWrites(dropAmount);
      app.close();
      expected = app.expected();
      assertThat(app.writes()).isGreaterThan(600);
      Map<Long, Long> archived = archived(archive);
      stale = expected.entrySet().stream()
          .filter(row -> !row.getValue().equals(archived.get(row.getKey()))).count();
      assertThat(archived.keySet()).containsAll(expected.keySet());
      assertThat(db.count("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'accounts'::regclass"
          + " AND NOT tgisinternal")).as("the trigger went with the column").isZero();
      assertThat(db.count("SELECT count(*) FROM pg_proc WHERE proname = '" + archive.name() + "'")).isZero();
    }
    assertThat(stale).as("rows whose archived value is not their last one").isZero();
    assertThat(db.count("SELECT count(*) FROM information_schema.columns WHERE table_schema = '"
        + db.schema() + "' AND table_name = 'accounts' AND column_name = 'amount'")).isZero();
  }

  /** Retries the drop as Temporal would on a lock timeout; writes in flight hold their lock briefly. */
  private void dropWhileTheApplicationWrites(ExpandContractRequest request) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        activities.dropColumnWithKeptArchive(request);
        return;
      } catch (ApplicationFailure failure) {
        if (!ZdmFailures.LOCK_TIMEOUT.equals(failure.getType()) || attempt == 20) {
          throw failure;
        }
        Thread.sleep(50);
      }
    }
  }

  @Test
  void tablesWhoseLegacyArchiveNamesCollideGetTwoArchivesAndARollbackOfOneLeavesTheOther() throws Exception {
    db.sql("CREATE TABLE a (id bigint PRIMARY KEY, b_c text)",
        "INSERT INTO a SELECT g, 'first ' || g FROM generate_series(1, 50) g",
        "CREATE TABLE a_b (id bigint PRIMARY KEY, c text)",
        "INSERT INTO a_b SELECT g, 'second ' || g FROM generate_series(1, 50) g",
        // The application's own trigger on the table: no undo of zdm's may touch it.
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$",
        "CREATE TRIGGER app_touch BEFORE UPDATE ON a FOR EACH ROW EXECUTE FUNCTION touch()");
    ExpandContractRequest first = request("drop-a-b_c", new TableRef(db.schema(), "a"), "b_c");
    ExpandContractRequest second = request("drop-a_b-c", new TableRef(db.schema(), "a_b"), "c");
    assertThat(ArchiveNames.legacyArchiveTable(first.table(), "b_c"))
        .as("the names release 0.2 gave them").isEqualTo(ArchiveNames.legacyArchiveTable(second.table(), "c"));

    TableRef firstArchive = activities.createKeptArchive(first);
    TableRef secondArchive = activities.createKeptArchive(second);
    assertThat(firstArchive).isNotEqualTo(secondArchive);
    assertThat(activities.createKeptArchive(first)).as("found again on a retry").isEqualTo(firstArchive);
    db.sql("UPDATE a SET b_c = 'first, rewritten' WHERE id = 3", "UPDATE a_b SET c = 'second, rewritten' WHERE id = 3");
    assertThat(db.value("SELECT b_c FROM " + firstArchive.name() + " WHERE id = 3")).isEqualTo("first, rewritten");
    assertThat(db.value("SELECT c FROM " + secondArchive.name() + " WHERE id = 3")).isEqualTo("second, rewritten");

    activities.dropKeptArchive(first);

    assertThat(objectsNamed(firstArchive.name())).as("the first's table, function and trigger").isZero();
    assertThat(objectsNamed(secondArchive.name())).as("the second's table, function and trigger").isEqualTo(3);
    assertThat(db.count("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'a'::regclass AND tgname = 'app_touch'")).isOne();
    db.sql("UPDATE a SET b_c = 'after the rollback' WHERE id = 4", "UPDATE a_b SET c = 'still archived' WHERE id = 4");
    assertThat(db.value("SELECT c FROM " + secondArchive.name() + " WHERE id = 4")).isEqualTo("still archived");
    activities.dropKeptArchive(first);
    assertThat(objectsNamed(secondArchive.name())).as("an undo run twice").isEqualTo(3);
  }

  @Test
  void anObjectOfTheArchivesNameThatAnotherMigrationOwnsIsNeitherReplacedNorDropped() throws Exception {
    db.sql("CREATE TABLE users (id bigint PRIMARY KEY, legacy text)",
        "INSERT INTO users SELECT g, 'l' || g FROM generate_series(1, 20) g");
    ExpandContractRequest mine = request("mine", new TableRef(db.schema(), "users"), "legacy");
    String name = ArchiveNames.of(mine.table(), "legacy").name();
    db.sql("CREATE TABLE \"" + name + "\" (id bigint PRIMARY KEY, legacy text)",
        "INSERT INTO \"" + name + "\" VALUES (1, 'the only copy')",
        "COMMENT ON TABLE \"" + name + "\" IS 'zdm migration theirs: values of users.legacy'");

    assertThatThrownBy(() -> activities.createKeptArchive(mine))
        .isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
          assertThat(failure.getType()).isEqualTo(ZdmFailures.INVALID_MIGRATION);
          assertThat(failure.getOriginalMessage()).contains("[mine]").contains(name)
              .contains("is not this migration's");
        });
    assertThat(db.count("SELECT count(*) FROM pg_trigger WHERE tgname = '" + name + "'"))
        .as("nothing installed").isZero();
    activities.dropKeptArchive(mine);
    assertThat(db.value("SELECT legacy FROM \"" + name + "\" WHERE id = 1")).isEqualTo("the only copy");
  }

  @Test
  void aColumnNamedArchivedAtIsArchivedBesideTheArchivesOwnTimestamp() throws Exception {
    db.sql("CREATE TABLE events (id bigint PRIMARY KEY, archived_at timestamptz, note text)",
        "INSERT INTO events SELECT g, timestamptz '2020-01-01' + g * interval '1 day', 'n' FROM generate_series(1, 30) g");
    ExpandContractRequest drop = request("drop-archived-at", new TableRef(db.schema(), "events"), "archived_at");
    TableRef archive = activities.createKeptArchive(drop);
    BackfillRequest copy = copy(drop, archive);
    while (engine.runChunk(copy).end() != BackfillChunk.End.FINISHED) {
      // until the pass ends
    }
    db.sql("UPDATE events SET archived_at = timestamptz '1999-12-31' WHERE id = 5");
    assertThat(engine.verify(copy).mismatches()).isZero();
    activities.dropColumnWithKeptArchive(drop);

    assertThat(db.column("SELECT column_name FROM information_schema.columns WHERE table_schema = '"
        + db.schema() + "' AND table_name = '" + archive.name() + "' ORDER BY ordinal_position"))
        .containsExactly("id", "archived_at", "_zdm_archived_at");
    assertThat(db.value("SELECT archived_at::date::text FROM " + archive.name() + " WHERE id = 5")).isEqualTo("1999-12-31");
    assertThat(db.count("SELECT count(*) FROM " + archive.name() + " WHERE _zdm_archived_at IS NOT NULL")).isEqualTo(30);
  }

  @Test
  void anApplicationRoleWithoutPrivilegesOnTheArchiveKeepsWritingAndIsArchived() throws Exception {
    String role = "zdm_test_app_" + java.util.UUID.randomUUID().toString().substring(0, 8);
    db.sql("CREATE TABLE users (id bigint PRIMARY KEY, legacy text)",
        "INSERT INTO users SELECT g, 'l' || g FROM generate_series(1, 20) g",
        "CREATE ROLE " + role,
        "GRANT USAGE ON SCHEMA \"" + db.schema() + "\" TO " + role,
        "GRANT SELECT, INSERT, UPDATE ON users TO " + role);
    try {
      TableRef archive = activities.createKeptArchive(
          request("app-role", new TableRef(db.schema(), "users"), "legacy"));
      try (java.sql.Connection app = db.connection(); java.sql.Statement statement = app.createStatement()) {
        statement.execute("SET ROLE " + role);
        statement.execute("UPDATE \"" + db.schema() + "\".users SET legacy = 'by the application' WHERE id = 2");
        statement.execute("INSERT INTO \"" + db.schema() + "\".users VALUES (21, 'new')");
        statement.execute("RESET ROLE");
      }
      assertThat(db.value("SELECT legacy FROM " + archive.name() + " WHERE id = 2")).isEqualTo("by the application");
      assertThat(db.value("SELECT legacy FROM " + archive.name() + " WHERE id = 21")).isEqualTo("new");
      assertThat(db.value("SELECT has_table_privilege('" + role + "', '" + archive.name() + "', 'INSERT')::text"))
          .as("the role itself may not write the archive").isEqualTo("false");
    } finally {
      db.sql("DROP OWNED BY " + role, "DROP ROLE " + role);
    }
  }

  @Test
  void aColumnOfATypeWithoutEqualityIsArchivedAndNeverFailsTheApplicationsWrites() throws Exception {
    db.sql("CREATE TABLE docs (id bigint PRIMARY KEY, body json, note text)",
        "INSERT INTO docs SELECT g, json_build_object('n', g), 'n' FROM generate_series(1, 10) g");
    TableRef archive = activities.createKeptArchive(request("json", new TableRef(db.schema(), "docs"), "body"));
    db.sql("UPDATE docs SET note = 'other column' WHERE id = 1",
        "UPDATE docs SET body = '{\"n\": \"changed\"}' WHERE id = 2");
    assertThat(db.value("SELECT body::text FROM " + archive.name() + " WHERE id = 2")).isEqualTo("{\"n\": \"changed\"}");
    ExpandContractRequest drop = request("json", new TableRef(db.schema(), "docs"), "body");
    BackfillRequest copy = copy(drop, archive);
    while (engine.runChunk(copy).end() != BackfillChunk.End.FINISHED) {
      // until the pass ends
    }
    assertThat(engine.verify(copy).mismatches()).isZero();
    activities.dropColumnWithKeptArchive(drop);
    assertThat(db.count("SELECT count(*) FROM " + archive.name() + " WHERE body::text = json_build_object('n', id)::text"))
        .isEqualTo(9);
  }

  @Test
  void aDisabledTriggerStopsTheDropWithNothingDropped() throws Exception {
    db.sql("CREATE TABLE users (id bigint PRIMARY KEY, legacy text)",
        "INSERT INTO users SELECT g, 'l' || g FROM generate_series(1, 20) g");
    ExpandContractRequest drop = request("disabled", new TableRef(db.schema(), "users"), "legacy");
    TableRef archive = activities.createKeptArchive(drop);
    db.sql("ALTER TABLE users DISABLE TRIGGER \"" + archive.name() + "\"");

    assertThatThrownBy(() -> activities.dropColumnWithKeptArchive(drop))
        .isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
          assertThat(failure.getType()).isEqualTo(ZdmFailures.VERIFICATION_FAILED);
          assertThat(failure.getOriginalMessage()).contains("[disabled]").contains("was not dropped")
              .contains("ENABLE ALWAYS TRIGGER");
        });
    assertThat(db.count("SELECT count(*) FROM users WHERE legacy IS NOT NULL")).isEqualTo(20);
    assertThat(objectsNamed(archive.name())).isEqualTo(3);
  }

  /** Tables, functions and triggers of this name in the test schema. */
  private long objectsNamed(String name) throws Exception {
    return db.count("SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE n.nspname = '" + db.schema() + "' AND c.relname = '" + name + "' AND c.relkind = 'r')"
        + " + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
        + " WHERE n.nspname = '" + db.schema() + "' AND p.proname = '" + name + "')"
        + " + (SELECT count(*) FROM pg_trigger WHERE tgname = '" + name + "')");
  }

  private Map<Long, Long> archived(TableRef archive) throws Exception {
    Map<Long, Long> values = new HashMap<>();
    for (String row : db.column("SELECT id || ':' || coalesce(amount::text, 'null') FROM " + archive.name())) {
      String[] parts = row.split(":");
      values.put(Long.parseLong(parts[0]), "null".equals(parts[1]) ? null : Long.parseLong(parts[1]));
    }
    return values;
  }

  private static BackfillRequest copy(ExpandContractRequest request, TableRef archive) {
    return new BackfillRequest(request.migrationId(), request.archiveProgressKey(), request.table(),
        new BatchChange.CopyRows(archive, List.of(request.column()), true),
        new BatchSettings(500, 0, null, null, false, null, null, null, Duration.ofSeconds(1), null),
        Duration.ofSeconds(5), 100);
  }

  private static ExpandContractRequest request(String id, TableRef table, String column) {
    return new ExpandContractRequest(id, table, column, MigrationOptions.defaults(), "expand-contract-step-1");
  }
}
