package dev.zdm.ledger;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.model.TableRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/**
 * One migration per table, and at most {@code maxConcurrentMigrations} per ledger at a time: claims
 * are rows in {@code _migration_table_claims}, so they are visible and survive a worker crash; an
 * advisory lock held for the claiming transaction makes check-and-claim atomic between workers.
 */
public final class TableClaims {
  /** As the guide sets it: one migration at a time per database. */
  public static final int DEFAULT_MAX_CONCURRENT_MIGRATIONS = 1;

  private final DataSource dataSource;
  private final Ledger ledger;
  private final int maxConcurrentMigrations;

  public TableClaims(DataSource dataSource, Ledger ledger, int maxConcurrentMigrations) {
    if (maxConcurrentMigrations < 1) {
      throw new IllegalArgumentException(
          "maxConcurrentMigrations must be at least 1, got " + maxConcurrentMigrations);
    }
    this.dataSource = dataSource;
    this.ledger = ledger;
    this.maxConcurrentMigrations = maxConcurrentMigrations;
  }

  /**
   * Claims the tables for the migration, or throws {@link ErrorCode#REFUSED} naming the migration
   * that holds one of them, or the running ones when the limit is reached. Claiming again for the
   * same migration id (a retried activity) keeps its claims and is not counted against it.
   */
  public void claim(String migrationId, Collection<TableRef> tables) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        lock(connection);
        refuseHeldTables(connection, migrationId, tables);
        refuseOverLimit(connection, migrationId, tables);
        insert(connection, migrationId, tables);
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    }
  }

  /** Deletes the migration's claims; returns how many it held. */
  public int release(String migrationId) throws SQLException {
    String sql = "DELETE FROM " + ledger.qualified("_migration_table_claims") + " WHERE migration_id = ?";
    try (Connection connection = dataSource.getConnection();
        PreparedStatement delete = connection.prepareStatement(sql)) {
      delete.setString(1, migrationId);
      return delete.executeUpdate();
    }
  }

  private void lock(Connection connection) throws SQLException {
    // Keyed by ledger schema: migrations sharing a ledger wait on one another's claiming only.
    try (PreparedStatement lock = connection.prepareStatement(
        "SELECT pg_advisory_xact_lock(hashtext(?))")) {
      lock.setString(1, "zdm-table-claims:" + ledger.schema());
      lock.execute();
    }
  }

  private void refuseHeldTables(Connection connection, String migrationId, Collection<TableRef> tables)
      throws SQLException {
    String sql = """
        SELECT migration_id, claimed_at
          FROM %s
         WHERE table_schema = ? AND table_name = ? AND migration_id <> ?
        """.formatted(ledger.qualified("_migration_table_claims"));
    try (PreparedStatement held = connection.prepareStatement(sql)) {
      for (TableRef table : tables) {
        held.setString(1, table.schema());
        held.setString(2, table.name());
        held.setString(3, migrationId);
        try (ResultSet row = held.executeQuery()) {
          if (row.next()) {
            throw new ZdmException(ErrorCode.REFUSED,
                "[" + migrationId + "] table " + table.displayName() + " is being migrated by "
                    + row.getString(1) + " (claimed at " + row.getTimestamp(2).toInstant()
                    + "); one migration per table at a time",
                "Wait for " + row.getString(1) + " to end; if it no longer runs, see"
                    + " docs/runbooks.md (table claims).");
          }
        }
      }
    }
  }

  private void refuseOverLimit(Connection connection, String migrationId, Collection<TableRef> tables)
      throws SQLException {
    if (tables.isEmpty()) {
      return;
    }
    String sql = """
        SELECT DISTINCT migration_id
          FROM %s
         WHERE migration_id <> ?
         ORDER BY migration_id
        """.formatted(ledger.qualified("_migration_table_claims"));
    List<String> running = new ArrayList<>();
    try (PreparedStatement others = connection.prepareStatement(sql)) {
      others.setString(1, migrationId);
      try (ResultSet rows = others.executeQuery()) {
        while (rows.next()) {
          running.add(rows.getString(1));
        }
      }
    }
    if (running.size() >= maxConcurrentMigrations) {
      throw new ZdmException(ErrorCode.REFUSED,
          "[" + migrationId + "] " + running.size() + " migration(s) already run in this database ("
              + String.join(", ", running) + "); maxConcurrentMigrations is "
              + maxConcurrentMigrations,
          "Wait for one to end, or raise the worker's maxConcurrentMigrations.");
    }
  }

  private void insert(Connection connection, String migrationId, Collection<TableRef> tables)
      throws SQLException {
    String sql = """
        INSERT INTO %s (table_schema, table_name, migration_id) VALUES (?, ?, ?)
        ON CONFLICT (table_schema, table_name) DO NOTHING
        """.formatted(ledger.qualified("_migration_table_claims"));
    Set<TableRef> distinct = new LinkedHashSet<>(tables);
    try (PreparedStatement insert = connection.prepareStatement(sql)) {
      for (TableRef table : distinct) {
        insert.setString(1, table.schema());
        insert.setString(2, table.name());
        insert.setString(3, migrationId);
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }
}
