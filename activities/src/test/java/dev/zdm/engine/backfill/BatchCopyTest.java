package dev.zdm.engine.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.backfill.BackfillChunk;
import dev.zdm.backfill.BackfillRequest;
import dev.zdm.backfill.BatchChange;
import dev.zdm.backfill.BatchSettings;
import dev.zdm.bluegreen.BlueGreenRequest;
import dev.zdm.engine.bluegreen.BlueGreenActivitiesImpl;
import dev.zdm.engine.expandcontract.ExpandContractActivitiesImpl;
import dev.zdm.expandcontract.ExpandContractRequest;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.TableRef;
import dev.zdm.testing.AccountsTable;
import dev.zdm.testing.AppWriters;
import dev.zdm.testing.TestDatabase;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's copy and comparison kinds on PostgreSQL: the blue-green copy under application
 * writes (through the real sync trigger), the race with an uncommitted delete, the comparison
 * finding every kind of difference, and the archive copy that refreshes.
 */
class BatchCopyTest {
  private static final int SEED_ROWS = 6_000;

  private TestDatabase db;
  private AccountsTable accounts;
  private BackfillActivitiesImpl engine;
  private BlueGreenActivitiesImpl blueGreen;
  private BlueGreenRequest blueGreenRequest;
  private TableRef green;

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabase.create("batch_copy");
    accounts = new AccountsTable(db);
    db.sql(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, amount bigint, note text)",
        "INSERT INTO accounts SELECT g, g % 1000, 'seed' FROM generate_series(1, " + SEED_ROWS + ") g");
    engine = new BackfillActivitiesImpl(db.target());
    blueGreen = new BlueGreenActivitiesImpl(db.target());
    blueGreenRequest = new BlueGreenRequest("bg-engine", accounts.ref(),
        List.of("ALTER TABLE accounts ADD COLUMN extra int"), MigrationOptions.defaults());
    green = blueGreen.greenTable(blueGreenRequest);
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void theCopyUnderApplicationWritesLeavesTheGreenTableEqualToTheTableWithEveryRowOnce() throws Exception {
    blueGreen.check(blueGreenRequest);
    blueGreen.createGreen(blueGreenRequest);
    blueGreen.installSync(blueGreenRequest);
    BackfillRequest copy = request("copy", new BatchChange.CopyRows(green, List.of(), false));
    long batches;
    try (AppWriters app = new AppWriters(accounts.qualified(), "amount",
        AccountsTable.seedAmounts(SEED_ROWS), SEED_ROWS + 1, 4).start()) {
      app.awaitWrites(200);
      BackfillChunk done = runPass(copy);
      batches = done.batches();
      app.awaitWrites(200);
      app.close();
      assertThat(app.errors()).as("application errors: %s", app.errorSamples()).isZero();
      assertThat(amounts("accounts")).isEqualTo(app.expected());
    }
    assertThat(batches).as("a 500-row batch at a time").isGreaterThanOrEqualTo(SEED_ROWS / 500);
    assertThat(differences("accounts", green.name())).as("rows missing, extra or different").isZero();
    assertThat(db.count("SELECT count(*) FROM " + green.name()))
        .isEqualTo(db.count("SELECT count(*) FROM accounts"));

    BackfillChunk compared = runPass(request("verify", new BatchChange.CompareRows(green)));
    assertThat(compared.rowsChanged()).isZero();
    assertThat(compared.rowsScanned()).isGreaterThanOrEqualTo(SEED_ROWS / 2);
    assertThat(db.value("SELECT status FROM " + db.schema() + "._migration_progress"
        + " WHERE migration_id = 'bg-engine' AND step = 'copy'")).isEqualTo("completed");
  }

  @Test
  void aRowDeletedWhileTheBatchReadsItIsNotCopiedAndARowTheTriggerWroteKeepsItsNewerValue()
      throws Exception {
    blueGreen.check(blueGreenRequest);
    blueGreen.createGreen(blueGreenRequest);
    blueGreen.installSync(blueGreenRequest);
    BackfillRequest copy = new BackfillRequest("bg-engine", "copy", accounts.ref(),
        new BatchChange.CopyRows(green, List.of(), false),
        new BatchSettings(SEED_ROWS, 0, null, null, false, null, null, null, null, null),
        Duration.ofSeconds(5), 100);
    try (Connection writer = db.connection()) {
      writer.setAutoCommit(false);
      try (Statement statement = writer.createStatement()) {
        statement.execute("SET search_path = \"" + db.schema() + "\"");
        statement.execute("DELETE FROM accounts WHERE id = 1500");
        statement.execute("UPDATE accounts SET amount = 777777 WHERE id = 2500");
      }
      // The batch starts while both are uncommitted: its snapshot still has row 1500 and the
      // old amount of row 2500.
      CompletableFuture<BackfillChunk> batch = CompletableFuture.supplyAsync(() -> runPass(copy));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (db.count("SELECT count(*) FROM pg_locks WHERE NOT granted"
          + " AND locktype IN ('transactionid', 'tuple')") == 0) {
        assertThat(System.nanoTime()).as("the batch waits for the deleting transaction").isLessThan(deadline);
        assertThat(batch).isNotDone();
        Thread.sleep(20);
      }
      writer.commit();
      BackfillChunk done = batch.get(60, TimeUnit.SECONDS);
      assertThat(done.rowsChanged()).as("row 2500 came from the trigger, 1500 from nowhere")
          .isEqualTo(SEED_ROWS - 2);
    }
    assertThat(db.count("SELECT count(*) FROM " + green.name() + " WHERE id = 1500")).isZero();
    assertThat(db.value("SELECT amount FROM " + green.name() + " WHERE id = 2500")).isEqualTo("777777");
    assertThat(differences("accounts", green.name())).isZero();
  }

  @Test
  void theComparisonFailsOnAMissingRowADifferentValueAndARowOnlyTheTargetHasPastTheEnd()
      throws Exception {
    db.sql("CREATE TABLE accounts_copy (LIKE accounts INCLUDING ALL)",
        "INSERT INTO accounts_copy SELECT * FROM accounts");
    TableRef copy = new TableRef(db.schema(), "accounts_copy");
    assertThat(runPass(request("same", new BatchChange.CompareRows(copy))).rowsScanned())
        .isEqualTo(SEED_ROWS);

    db.sql("DELETE FROM accounts_copy WHERE id = 4321");
    assertDiffers(request("missing", new BatchChange.CompareRows(copy)), "[4000] up to [4500]");
    db.sql("INSERT INTO accounts_copy VALUES (4321, 321, 'seed')",
        "UPDATE accounts_copy SET note = 'changed' WHERE id = 17");
    assertDiffers(request("changed", new BatchChange.CompareRows(copy)), "the start up to [500]");
    db.sql("UPDATE accounts_copy SET note = 'seed' WHERE id = 17",
        "INSERT INTO accounts_copy VALUES (" + (SEED_ROWS + 50) + ", 1, 'resurrected')");
    assertDiffers(request("extra", new BatchChange.CompareRows(copy)), "[" + SEED_ROWS + "] up to the end");
  }

  @Test
  void theArchiveCopyRefreshesStaleRowsAndItsVerificationToleratesOnlyNullValuesMissing()
      throws Exception {
    db.sql("UPDATE accounts SET note = NULL WHERE id % 100 = 0");
    ExpandContractRequest dropNote = new ExpandContractRequest("ec-engine", accounts.ref(), "note",
        MigrationOptions.defaults(), "expand-contract-step-1");
    ExpandContractActivitiesImpl expandContract = new ExpandContractActivitiesImpl(db.target());
    TableRef archive = expandContract.createArchive(dropNote);
    assertThat(expandContract.createArchive(dropNote)).isEqualTo(archive);
    // A stale value from an earlier attempt, which the table's value must replace.
    db.sql("INSERT INTO " + archive.name() + " (id, note) VALUES (7, 'stale')");
    BackfillRequest copy = new BackfillRequest("ec-engine", dropNote.archiveProgressKey(),
        accounts.ref(), new BatchChange.CopyRows(archive, List.of("note"), true),
        settings(), Duration.ofSeconds(5), 100);

    BackfillChunk done = runPass(copy);

    assertThat(done.rowsChanged()).isEqualTo(SEED_ROWS);
    assertThat(db.value("SELECT note FROM " + archive.name() + " WHERE id = 7")).isEqualTo("seed");
    assertThat(db.count("SELECT count(*) FROM " + archive.name())).isEqualTo(SEED_ROWS);
    assertThat(engine.verify(copy).rowsChecked()).isEqualTo(SEED_ROWS);

    db.sql("INSERT INTO accounts VALUES (" + (SEED_ROWS + 1) + ", 5, NULL)");
    assertThat(engine.verify(copy).mismatches()).as("a NULL value needs no archive row").isZero();
    db.sql("UPDATE accounts SET note = 'written after its batch' WHERE id = 42");
    assertThatThrownBy(() -> engine.verify(copy))
        .isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
          assertThat(failure.getType()).isEqualTo(ZdmFailures.VERIFICATION_FAILED);
          assertThat(failure.getOriginalMessage()).contains("ec-engine").contains("42");
        });
  }

  @Test
  void theArchiveCopyEndsWhileTheApplicationInsertsRowsWithoutTheColumn() throws Exception {
    db.sql("ALTER TABLE accounts ADD COLUMN legacy text", "UPDATE accounts SET legacy = 'l' || id");
    ExpandContractRequest dropLegacy = new ExpandContractRequest("ec-engine", accounts.ref(), "legacy",
        MigrationOptions.defaults(), "expand-contract-step-1");
    TableRef archive = new ExpandContractActivitiesImpl(db.target()).createArchive(dropLegacy);
    BackfillRequest copy = new BackfillRequest("ec-engine", dropLegacy.archiveProgressKey(),
        accounts.ref(), new BatchChange.CopyRows(archive, List.of("legacy"), true),
        new BatchSettings(500, 100, null, null, false, null, null, null, Duration.ofSeconds(1), null),
        Duration.ofSeconds(5), 100);
    try (AppWriters app = new AppWriters(accounts.qualified(), "amount",
        AccountsTable.seedAmounts(SEED_ROWS), SEED_ROWS + 1, 2).start()) {
      app.awaitWrites(100);
      BackfillChunk chunk = engine.runChunk(copy);
      long stopAtStart = stopKey(copy);
      while (chunk.end() != BackfillChunk.End.FINISHED) {
        chunk = engine.runChunk(copy);
      }
      app.awaitWrites(100);
      assertThat(db.count("SELECT count(*) FROM accounts WHERE id > " + stopAtStart))
          .as("rows the application inserted during and after the pass").isPositive();
      assertThat(stopKey(copy)).as("the walk did not chase them").isEqualTo(stopAtStart);
      assertThat(db.count("SELECT count(*) FROM " + archive.name() + " WHERE id > " + stopAtStart))
          .isZero();
      assertThat(engine.verify(copy).mismatches()).isZero();
    }
    assertThat(db.count("SELECT count(*) FROM accounts s JOIN " + archive.name()
        + " a USING (id) WHERE a.legacy IS DISTINCT FROM s.legacy")).isZero();
    assertThat(db.count("SELECT count(*) FROM accounts s LEFT JOIN " + archive.name()
        + " a USING (id) WHERE s.legacy IS NOT NULL AND a.id IS NULL")).isZero();
  }

  /** Where the pass's walk ends, as committed in its progress row. */
  private long stopKey(BackfillRequest pass) throws Exception {
    return db.count("SELECT (stop_key::text[])[1]::bigint FROM _migration_progress"
        + " WHERE migration_id = '" + pass.migrationId() + "' AND step = '" + pass.step() + "'");
  }

  private void assertDiffers(BackfillRequest compare, String range) {
    assertThatThrownBy(() -> runPass(compare))
        .isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
          assertThat(failure.getType()).isEqualTo(ZdmFailures.VERIFICATION_FAILED);
          assertThat(failure.isNonRetryable()).isTrue();
          assertThat(failure.getOriginalMessage()).contains("bg-engine").contains(range);
        });
  }

  private BackfillRequest request(String step, BatchChange change) {
    return new BackfillRequest("bg-engine", step, accounts.ref(), change, settings(),
        Duration.ofSeconds(5), 100);
  }

  /** Fixed 500-row batches without delay, so a test's pass has many batches and ends fast. */
  private static BatchSettings settings() {
    return new BatchSettings(500, 0, null, null, false, null, null, null, Duration.ofSeconds(2), null);
  }

  private BackfillChunk runPass(BackfillRequest request) {
    while (true) {
      BackfillChunk chunk = engine.runChunk(request);
      if (chunk.end() == BackfillChunk.End.FINISHED) {
        return chunk;
      }
    }
  }

  private Map<Long, Long> amounts(String table) throws Exception {
    Map<Long, Long> amounts = new java.util.HashMap<>();
    try (Connection connection = db.connection(); Statement statement = connection.createStatement();
        var rows = statement.executeQuery("SELECT id, amount FROM \"" + db.schema() + "\"." + table)) {
      while (rows.next()) {
        amounts.put(rows.getLong(1), rows.getLong(2));
      }
    }
    return amounts;
  }

  /** Rows only one table has, or whose common columns differ. */
  private long differences(String left, String right) throws Exception {
    return db.count("SELECT count(*) FROM " + left + " l FULL JOIN " + right + " r ON r.id = l.id"
        + " WHERE l.id IS NULL OR r.id IS NULL OR (l.amount, l.note) IS DISTINCT FROM (r.amount, r.note)");
  }
}
