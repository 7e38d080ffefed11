package dev.zdm.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zdm.ledger.Ledger;
import dev.zdm.model.TableRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * {@code _migration_table_snapshots} in the ledger: a table's description when a step began (as
 * JSON; a field a later release adds reads as null), and the fidelity checks against it.
 */
public final class TableSnapshots {
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Ledger ledger;

  public TableSnapshots(Ledger ledger) {
    this.ledger = ledger;
  }

  /** Stores the description unless this step already has a snapshot of the table (a retry keeps the first). */
  public void takeOnce(Connection connection, String migrationId, String step, TableDescription description)
      throws SQLException {
    TableRef table = description.table();
    String sql =
        """
        INSERT INTO %s (migration_id, step, table_schema, table_name, description)
        VALUES (?, ?, ?, ?, ?::jsonb)
        ON CONFLICT (migration_id, step, table_schema, table_name) DO NOTHING
        """.formatted(ledger.qualified("_migration_table_snapshots"));
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, migrationId);
      statement.setString(2, step);
      statement.setString(3, table.schema());
      statement.setString(4, table.name());
      statement.setString(5, toJson(description));
      statement.executeUpdate();
    }
  }

  public Optional<TableDescription> find(Connection connection, String migrationId, String step,
      TableRef table) throws SQLException {
    String sql =
        """
        SELECT description::text FROM %s
         WHERE migration_id = ? AND step = ? AND table_schema = ? AND table_name = ?
        """.formatted(ledger.qualified("_migration_table_snapshots"));
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, migrationId);
      statement.setString(2, step);
      statement.setString(3, table.schema());
      statement.setString(4, table.name());
      try (ResultSet row = statement.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        try {
          return Optional.of(JSON.readValue(row.getString(1), TableDescription.class));
        } catch (JsonProcessingException e) {
          throw new SQLException("unreadable snapshot of " + table + " for migration " + migrationId, e);
        }
      }
    }
  }

  /** Records the outcome of a check: passed, or the differences that stopped the step. */
  public void recordCheck(Connection connection, String migrationId, String step, TableRef table,
      List<String> differences) throws SQLException {
    String sql =
        """
        UPDATE %s SET checked_at = now(), check_passed = ?, differences = ?
         WHERE migration_id = ? AND step = ? AND table_schema = ? AND table_name = ?
        """.formatted(ledger.qualified("_migration_table_snapshots"));
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setBoolean(1, differences.isEmpty());
      statement.setString(2, differences.isEmpty() ? null : String.join("\n", differences));
      statement.setString(3, migrationId);
      statement.setString(4, step);
      statement.setString(5, table.schema());
      statement.setString(6, table.name());
      statement.executeUpdate();
    }
  }

  private static String toJson(TableDescription description) {
    try {
      return JSON.writeValueAsString(description);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a description is records of strings and always serialises", e);
    }
  }
}
