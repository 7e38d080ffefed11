package dev.zdm.client;

import dev.zdm.engine.expandcontract.ArchiveNames;
import dev.zdm.model.HumanDuration;

import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationRequest;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.Strategy;
import dev.zdm.model.TableRef;
import dev.zdm.model.WaitingFor;
import dev.zdm.postgres.Catalog;
import dev.zdm.postgres.Database;
import dev.zdm.postgres.DatabaseConfig;
import dev.zdm.postgres.Identifiers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * {@code zdm dev --demo}: drops a column the expand-contract way on a fresh 100,000-row table,
 * sending the deployment signal and the approval itself and printing the command each time, so
 * the reader sees what release tooling would run.
 */
public final class Demo {
  public static final String SCHEMA = "zdm_demo";
  public static final String TABLE = "users";
  public static final String COLUMN = "legacy_field";
  public static final int ROWS = 100_000;
  /** Short, so the demo shows the removal-date wait without making the reader wait long. */
  public static final Duration REMOVAL_AFTER = Duration.ofSeconds(3);
  public static final Duration POLL_INTERVAL = Duration.ofMillis(300);
  public static final Duration PHASE_TIMEOUT = Duration.ofMinutes(5);

  private static final String MIGRATION_SQL =
      """
      -- @metadata {"zeroDowntime": true, "phase": "contract"}
      ALTER TABLE zdm_demo.users DROP COLUMN legacy_field;
      """;

  private final DatabaseConfig database;
  private final ZdmClient client;
  private final Consumer<String> say;

  public Demo(DatabaseConfig database, ZdmClient client, Consumer<String> say) {
    this.database = database;
    this.client = client;
    this.say = say;
  }

  /** Returns true when the column is gone and every value is in the archive. */
  public boolean run() {
    try (Database db = Database.open(database, "zdm-demo", 2)) {
      say.accept("\n== 1. A table the application uses: " + SCHEMA + "." + TABLE + " with " + ROWS
          + " rows and a column " + COLUMN + " to drop");
      createDemoTable(db);
      Path file = writeMigrationFile();
      String id = "demo-" + System.currentTimeMillis() / 1000;
      say.accept("\n== 2. Start the migration (the SQL you would give Flyway: " + file + ")");
      say.accept("$ zdm start " + file + " --strategy expand-contract --removal-after "
          + HumanDuration.format(REMOVAL_AFTER) + " --id " + id);
      MigrationRequest request =
          MigrationFiles.load(file, id, Strategy.EXPAND_CONTRACT,
              MigrationOptions.defaults().withRemovalAfter(REMOVAL_AFTER));
      StartResult started = client.start(request, StartOptions.defaults(), StartListener.SILENT);
      started.plan().steps().forEach(step -> say.accept("   plan: " + step.describe()));
      awaitWaitingFor(id, WaitingFor.DEPLOYMENT);

      say.accept("\n== 3. The column is deprecated; deploy the application that no longer reads it, then tell zdm");
      say.accept("$ zdm deployed " + id + " --version v1.1");
      client.deployed(id, "v1.1", null);
      awaitWaitingFor(id, WaitingFor.APPROVAL);

      say.accept("\n== 4. The removal date has passed; dropping is irreversible, so a person approves it");
      say.accept("$ zdm approve " + id);
      client.approve(id, new ApprovalRequest("zdm-demo", "demo"));
      MigrationResult result = client.awaitResult(id);
      say.accept("   " + result.outcome() + ": " + result.message());

      say.accept("\n== 5. Check: the column is gone and its data is archived");
      MigrationView view = client.status(id);
      say.accept("$ zdm status " + id + "   ->   state " + view.state() + ", phase " + view.phase()
          + ", " + view.steps().size() + " steps recorded");
      return result.outcome() == Outcome.COMPLETED && verify(db);
    }
  }

  private void awaitWaitingFor(String id, String what) {
    long deadline = System.nanoTime() + PHASE_TIMEOUT.toNanos();
    String lastPhase = null;
    while (System.nanoTime() < deadline) {
      MigrationView view = client.status(id);
      if (!Objects.equals(view.phase(), lastPhase)) {
        say.accept("   phase: " + view.phase()
            + (view.waitingFor() == null ? "" : " (waiting for " + view.waitingFor() + ")"));
        lastPhase = view.phase();
      }
      if (what.equals(view.waitingFor())) {
        return;
      }
      if (!"RUNNING".equals(view.state())) {
        throw new IllegalStateException("migration " + id + " ended early: " + view.state() + " " + view.failure());
      }
      sleep(POLL_INTERVAL);
    }
    throw new IllegalStateException("migration " + id + " did not come to wait for " + what + " within " + PHASE_TIMEOUT);
  }

  private void createDemoTable(Database db) {
    String sql =
        """
        DROP SCHEMA IF EXISTS zdm_demo CASCADE;
        CREATE SCHEMA zdm_demo;
        CREATE TABLE zdm_demo.users (
          id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          email        text NOT NULL,
          legacy_field text,
          created_at   timestamptz NOT NULL DEFAULT now()
        );
        INSERT INTO zdm_demo.users (email, legacy_field)
        SELECT 'user' || n || '@example.com', 'legacy value ' || n
          FROM generate_series(1, %d) AS n;
        ANALYZE zdm_demo.users;
        """
            .formatted(ROWS);
    try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw Database.failure(database, e);
    }
  }

  private boolean verify(Database db) {
    try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
      boolean columnGone =
          new Catalog(connection).columnType(new TableRef(SCHEMA, TABLE), COLUMN).isEmpty();
      long archived;
      TableRef archive = ArchiveNames.of(new TableRef(SCHEMA, TABLE), COLUMN).table();
      try (ResultSet row = statement.executeQuery(
          "SELECT count(*) FROM " + Identifiers.quote(archive) + " WHERE legacy_field LIKE 'legacy value %'")) {
        row.next();
        archived = row.getLong(1);
      }
      say.accept("   column " + SCHEMA + "." + TABLE + "." + COLUMN + (columnGone ? " is gone" : " is STILL THERE"));
      say.accept("   " + archived + " of " + ROWS + " values are in " + archive.displayName());
      return columnGone && archived == ROWS;
    } catch (SQLException e) {
      say.accept("   check failed: " + e.getMessage());
      return false;
    }
  }

  private static Path writeMigrationFile() {
    try {
      Path directory = Files.createTempDirectory("zdm-demo");
      Path file = directory.resolve("V1__drop_legacy_field.sql");
      Files.writeString(file, MIGRATION_SQL);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
