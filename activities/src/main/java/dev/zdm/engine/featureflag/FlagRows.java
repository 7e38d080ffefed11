package dev.zdm.engine.featureflag;

import dev.zdm.featureflag.FlagBeginning;
import dev.zdm.featureflag.FlagChange;
import dev.zdm.featureflag.FlagStart;
import dev.zdm.featureflag.FlagState;
import dev.zdm.ledger.Ledger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The flag row and its history row, always written together in one transaction under the flag
 * row's lock. A history row is keyed by (workflow id, change number), so a change whose activity
 * is retried after it committed finds its row and changes nothing.
 */
public final class FlagRows {
  private final DataSource dataSource;
  private final String flags;
  private final String changes;

  public FlagRows(DataSource dataSource, Ledger ledger) {
    this.dataSource = dataSource;
    this.flags = ledger.qualified("_migration_feature_flags");
    this.changes = ledger.qualified("_migration_flag_changes");
  }

  public FlagBeginning begin(FlagStart start) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        FlagBeginning beginning = begin(connection, start);
        connection.commit();
        return beginning;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    }
  }

  private FlagBeginning begin(Connection connection, FlagStart start) throws SQLException {
    Optional<FlagState> recorded = recordedBefore(connection, start.workflowId());
    if (recorded.isPresent()) {
      return new FlagBeginning(recorded.get(), lockedRow(connection, start.flag()).orElseThrow());
    }
    Optional<FlagState> row = lockedRow(connection, start.flag());
    FlagState before = row.orElse(new FlagState(false, false, 0));
    if (row.isEmpty()) {
      try (PreparedStatement insert = connection.prepareStatement("""
          INSERT INTO %s (flag_name, enabled, rollout_percentage, migration_id, description)
          VALUES (?, false, 0, ?, ?)
          ON CONFLICT (flag_name) DO NOTHING
          """.formatted(flags))) {
        insert.setString(1, start.flag());
        insert.setString(2, start.migrationId());
        insert.setString(3, "created by zdm rollout " + start.migrationId());
        insert.executeUpdate();
      }
      // Another rollout may have created it a moment ago: what is there now is what we start from.
      row = lockedRow(connection, start.flag());
      before = row.filter(r -> r.enabled() || r.percentage() != 0).orElse(before);
    }
    FlagState now = row.orElseThrow();
    insertHistory(connection, start.flag(), start.migrationId(), start.workflowId(), 0,
        before.existed() ? before : null, now, start.changedBy(), "rollout started");
    try (PreparedStatement mark = connection.prepareStatement(
        "UPDATE %s SET migration_id = ? WHERE flag_name = ?".formatted(flags))) {
      mark.setString(1, start.migrationId());
      mark.setString(2, start.flag());
      mark.executeUpdate();
    }
    return new FlagBeginning(before, now);
  }

  public FlagState change(FlagChange change) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        FlagState before = lockedRow(connection, change.flag()).orElseThrow(() -> new FlagMissing(change));
        FlagState after = new FlagState(true, change.enabled(), change.percentage());
        boolean written = insertHistory(connection, change.flag(), change.migrationId(),
            change.workflowId(), change.sequence(), before, after, change.changedBy(), change.reason());
        if (written) {
          try (PreparedStatement update = connection.prepareStatement("""
              UPDATE %s SET enabled = ?, rollout_percentage = ?, updated_at = now()
               WHERE flag_name = ?
              """.formatted(flags))) {
            update.setBoolean(1, change.enabled());
            update.setInt(2, change.percentage());
            update.setString(3, change.flag());
            update.executeUpdate();
          }
        }
        FlagState now = written ? after : before;
        connection.commit();
        return now;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    }
  }

  /** The flag's row now, without a lock; empty when there is none. */
  public Optional<FlagState> read(String flag) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement(
            "SELECT enabled, rollout_percentage FROM %s WHERE flag_name = ?".formatted(flags))) {
      select.setString(1, flag);
      try (ResultSet row = select.executeQuery()) {
        return row.next()
            ? Optional.of(new FlagState(true, row.getBoolean(1), row.getInt(2)))
            : Optional.empty();
      }
    }
  }

  /** The flag row was deleted by hand during the rollout: nothing zdm can safely put back. */
  static final class FlagMissing extends RuntimeException {
    FlagMissing(FlagChange change) {
      super("[" + change.migrationId() + "] flag " + change.flag()
          + " no longer exists in _migration_feature_flags: it was deleted during the rollout");
    }
  }

  private Optional<FlagState> lockedRow(Connection connection, String flag) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT enabled, rollout_percentage FROM %s WHERE flag_name = ? FOR UPDATE".formatted(flags))) {
      select.setString(1, flag);
      try (ResultSet row = select.executeQuery()) {
        return row.next()
            ? Optional.of(new FlagState(true, row.getBoolean(1), row.getInt(2)))
            : Optional.empty();
      }
    }
  }

  /** What change 0 of this rollout recorded as the flag before it. */
  private Optional<FlagState> recordedBefore(Connection connection, String workflowId)
      throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT from_enabled, from_percentage FROM %s WHERE workflow_id = ? AND change_seq = 0"
            .formatted(changes))) {
      select.setString(1, workflowId);
      try (ResultSet row = select.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        boolean enabled = row.getBoolean(1);
        boolean existed = !row.wasNull();
        return Optional.of(existed
            ? new FlagState(true, enabled, row.getInt(2))
            : new FlagState(false, false, 0));
      }
    }
  }

  /** Inserts the history row; false when this change was written before (a retry). */
  private boolean insertHistory(Connection connection, String flag, String migrationId,
      String workflowId, int sequence, FlagState from, FlagState to, String by, String reason)
      throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement("""
        INSERT INTO %s (flag_name, migration_id, workflow_id, change_seq, from_enabled,
                        from_percentage, to_enabled, to_percentage, changed_by, reason)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (workflow_id, change_seq) DO NOTHING
        """.formatted(changes))) {
      insert.setString(1, flag);
      insert.setString(2, migrationId);
      insert.setString(3, workflowId);
      insert.setInt(4, sequence);
      if (from == null) {
        insert.setNull(5, Types.BOOLEAN);
        insert.setNull(6, Types.INTEGER);
      } else {
        insert.setBoolean(5, from.enabled());
        insert.setInt(6, from.percentage());
      }
      insert.setBoolean(7, to.enabled());
      insert.setInt(8, to.percentage());
      insert.setString(9, by);
      insert.setString(10, reason);
      return insert.executeUpdate() == 1;
    }
  }
}
