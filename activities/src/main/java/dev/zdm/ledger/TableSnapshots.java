package dev.zdm.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zdm.model.TableRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/** {@code _migration_table_snapshots}: a table's facts when a step began, and its fidelity checks. */
public final class TableSnapshots {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Ledger ledger;

  public TableSnapshots(Ledger ledger) {
    this.ledger = ledger;
  }

  /** Stores the facts unless this step already has a snapshot of the table (a retry keeps the first). */
  public void takeOnce(Connection connection, String migrationId, String step, TableRef table,
      Map<String, String> facts) throws SQLException {
    String sql =
        """
        INSERT INTO %s (migration_id, step, table_schema, table_name, facts)
        VALUES (?, ?, ?, ?, ?::jsonb)
        ON CONFLICT (migration_id, step, table_schema, table_name) DO NOTHING
        """.formatted(ledger.qualified("_migration_table_snapshots"));
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, migrationId);
      statement.setString(2, step);
      statement.setString(3, table.schema());
      statement.setString(4, table.name());
      statement.setString(5, toJson(facts));
      statement.executeUpdate();
    }
  }

  public Optional<SortedMap<String, String>> find(Connection connection, String migrationId, String step,
      TableRef table) throws SQLException {
    String sql =
        """
        SELECT facts::text FROM %s
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
          return Optional.of(new TreeMap<>(JSON.readValue(row.getString(1), new TypeReference<Map<String, String>>() {})));
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

  private static String toJson(Map<String, String> facts) {
    try {
      return JSON.writeValueAsString(facts);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("facts are plain strings and always serialise", e);
    }
  }
}
