package dev.zdm.engine.bluegreen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.bluegreen.BlueGreenRequest;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.TableRef;
import dev.zdm.testing.TestDatabase;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The activities one by one, where a race can be set up exactly. */
class BlueGreenActivitiesTest {
  private TestDatabase db;
  private BlueGreenActivitiesImpl activities;
  private BlueGreenRequest request;

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabase.create("bluegreen_acts");
    db.sql(
        "CREATE TABLE accounts (id bigserial PRIMARY KEY, amount bigint NOT NULL, note text)",
        "INSERT INTO accounts (amount, note) SELECT g % 1000, 'seed' FROM generate_series(1, 3000) g");
    activities = new BlueGreenActivitiesImpl(db.target());
    request = new BlueGreenRequest("bg-acts", new TableRef(db.schema(), "accounts"),
        List.of("ALTER TABLE accounts SET (fillfactor = 90)"), MigrationOptions.defaults());
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void theCopyNeverResurrectsARowDeletedWhileItReadsAndNeverOverwritesASyncedRow() throws Exception {
    activities.check(request);
    activities.createGreen(request);
    activities.createGreen(request); // idempotent
    activities.installSync(request);
    activities.installSync(request);
    try (Connection writer = db.connection()) {
      writer.setAutoCommit(false);
      try (Statement statement = writer.createStatement()) {
        statement.execute("SET search_path = \"" + db.schema() + "\"");
        statement.execute("DELETE FROM accounts WHERE id = 1500");
        statement.execute("UPDATE accounts SET amount = 777777 WHERE id = 2500");
      }
      // The copy starts while the delete and the update are not yet committed: its snapshot
      // still sees row 1500 and the old amount of row 2500.
      // A lock timeout long enough that a busy machine's poll below always sees the copy waiting.
      BlueGreenRequest patient = new BlueGreenRequest(request.migrationId(), request.table(), request.greenChanges(),
          new MigrationOptions(null, java.time.Duration.ofSeconds(10), null, false, false));
      CompletableFuture<Long> copy = CompletableFuture.supplyAsync(() -> activities.copyRows(patient));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (db.count("SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype IN ('transactionid', 'tuple')") == 0) {
        assertThat(System.nanoTime()).as("the copy waits for the deleting transaction").isLessThan(deadline);
        assertThat(copy).isNotDone();
        Thread.sleep(20);
      }
      writer.commit();
      assertThat(copy.get(60, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(2999);
    }
    assertThat(db.count("SELECT count(*) FROM accounts_zdm_green WHERE id = 1500")).isZero();
    assertThat(db.value("SELECT amount FROM accounts_zdm_green WHERE id = 2500")).isEqualTo("777777");
    assertThat(activities.verify(request)).isEqualTo(2999);
  }

  @Test
  void switchAndRevertAreIdempotentAndKeepTheSerialSequence() throws Exception {
    activities.check(request);
    activities.createGreen(request);
    activities.installSync(request);
    activities.copyRows(request);
    activities.switchTables(request);
    activities.switchTables(request);
    assertThat(db.value("SELECT reloptions::text FROM pg_class WHERE oid = 'accounts'::regclass")).contains("fillfactor=90");
    // The application's inserts use the serial default on the new table; the reverse sync copies them back.
    db.sql("INSERT INTO accounts (amount, note) VALUES (5, 'after switch')");
    assertThat(db.count("SELECT count(*) FROM accounts_zdm_old WHERE note = 'after switch'")).isEqualTo(1);
    activities.revert(request);
    activities.revert(request);
    assertThat(db.value("SELECT reloptions::text FROM pg_class WHERE oid = 'accounts'::regclass")).isNull();
    assertThat(db.count("SELECT count(*) FROM accounts WHERE note = 'after switch'")).isEqualTo(1);
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relnamespace = '" + db.schema()
        + "'::regnamespace AND relname LIKE 'accounts_zdm_%'")).isZero();
    // The sequence still belongs to the original table and keeps counting.
    db.sql("INSERT INTO accounts (amount, note) VALUES (6, 'after revert')");
    assertThat(db.count("SELECT count(*) FROM accounts")).isEqualTo(3002);
  }

  @Test
  void completingKeepsTheSequenceAliveAndTheOriginalIndexNames() throws Exception {
    activities.createGreen(request);
    activities.installSync(request);
    activities.copyRows(request);
    activities.switchTables(request);
    activities.dropOld(request);
    activities.dropOld(request);
    db.sql("INSERT INTO accounts (amount, note) VALUES (7, 'after drop')");
    assertThat(db.count("SELECT count(*) FROM accounts")).isEqualTo(3001);
    assertThat(db.column("SELECT conname FROM pg_constraint WHERE conrelid = 'accounts'::regclass"))
        .containsExactly("accounts_pkey");
    assertThat(db.count("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'accounts'::regclass")).isZero();
  }

  @Test
  void theSwitchGivesUpAfterLockTimeoutAndChangesNothingWhileALongTransactionHoldsTheTable() throws Exception {
    activities.createGreen(request);
    activities.installSync(request);
    activities.copyRows(request);
    try (Connection reader = db.connection()) {
      reader.setAutoCommit(false);
      try (Statement statement = reader.createStatement()) {
        statement.execute("SELECT count(*) FROM \"" + db.schema() + "\".accounts");
      }
      assertThatThrownBy(() -> activities.switchTables(request))
          .isInstanceOfSatisfying(ApplicationFailure.class,
              failure -> assertThat(failure.getType()).isEqualTo(ZdmFailures.LOCK_TIMEOUT));
      reader.commit();
    }
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relnamespace = '" + db.schema()
        + "'::regnamespace AND relname = 'accounts_zdm_green'")).isEqualTo(1);
    assertThat(db.column("SELECT tgname FROM pg_trigger WHERE tgrelid = 'accounts'::regclass"))
        .containsExactly("_zdm_bg_accounts_fwd");
    activities.switchTables(request); // the retry, once the transaction is gone
    assertThat(db.column("SELECT tgname FROM pg_trigger WHERE tgrelid = 'accounts'::regclass"))
        .containsExactly("_zdm_bg_accounts_rev");
  }

  @Test
  void anIdentityKeyGoesOnCountingAfterTheSwitchAndAfterTheRevert() throws Exception {
    db.sql("CREATE TABLE items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text)",
        "INSERT INTO items (name) SELECT 'n' || g FROM generate_series(1, 500) g");
    BlueGreenRequest items = new BlueGreenRequest("bg-items", new TableRef(db.schema(), "items"),
        List.of("VACUUM FULL items"), MigrationOptions.defaults());
    activities.check(items);
    activities.createGreen(items);
    activities.installSync(items);
    db.sql("INSERT INTO items (name) VALUES ('during copy')");
    activities.copyRows(items);
    assertThat(activities.verify(items)).isEqualTo(501);
    activities.switchTables(items);
    db.sql("INSERT INTO items (name) VALUES ('after switch')");
    assertThat(db.value("SELECT id FROM items WHERE name = 'after switch'")).isEqualTo("502");
    assertThat(db.value("SELECT id FROM items_zdm_old WHERE name = 'after switch'")).isEqualTo("502");
    activities.revert(items);
    db.sql("INSERT INTO items (name) VALUES ('after revert')");
    assertThat(db.value("SELECT id FROM items WHERE name = 'after revert'")).isEqualTo("503");
    assertThat(db.count("SELECT count(*) FROM items")).isEqualTo(503);
  }

  @Test
  void foreignKeysOfTheTableComeAlongAndOnesToItselfAreRefused() throws Exception {
    db.sql("CREATE TABLE owners (id bigint PRIMARY KEY)",
        "INSERT INTO owners SELECT g FROM generate_series(1, 10) g",
        "CREATE TABLE pets (id bigint PRIMARY KEY, owner bigint CONSTRAINT pets_owner_fk REFERENCES owners (id))",
        "INSERT INTO pets SELECT g, g % 10 + 1 FROM generate_series(1, 100) g",
        "CREATE TABLE tree (id bigint PRIMARY KEY, parent bigint REFERENCES tree (id))");
    BlueGreenRequest pets = new BlueGreenRequest("bg-pets", new TableRef(db.schema(), "pets"),
        List.of("VACUUM FULL pets"), MigrationOptions.defaults());
    activities.check(pets);
    activities.createGreen(pets);
    activities.installSync(pets);
    activities.copyRows(pets);
    activities.switchTables(pets);
    activities.dropOld(pets);
    assertThat(db.value("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'pets'::regclass"
        + " AND conname = 'pets_owner_fk'")).contains("REFERENCES").contains("owners(id)");
    assertThatThrownBy(() -> db.sql("INSERT INTO pets VALUES (1000, 99)")).hasMessageContaining("pets_owner_fk");

    assertThatThrownBy(() -> activities.check(new BlueGreenRequest("bg-tree", new TableRef(db.schema(), "tree"),
        List.of(), MigrationOptions.defaults())))
        .hasMessageContaining("foreign key to itself");
  }
}
