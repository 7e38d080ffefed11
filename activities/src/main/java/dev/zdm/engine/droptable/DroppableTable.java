package dev.zdm.engine.droptable;

import dev.zdm.model.TableRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * A relation looked up by name for a drop: its OID, its kind, and whether it takes part in
 * partitioning (moved aside, a partitioned table leaves its partitions behind, so it is refused).
 */
public record DroppableTable(long oid, String relkind, boolean partition, String comment) {

  public static Optional<DroppableTable> find(Connection connection, TableRef table) throws SQLException {
    String sql =
        """
        SELECT c.oid, c.relkind, c.relispartition, obj_description(c.oid, 'pg_class')
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ? AND c.relname = ?
        """;
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, table.schema());
      statement.setString(2, table.name());
      try (ResultSet row = statement.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        return Optional.of(new DroppableTable(row.getLong(1), row.getString(2), row.getBoolean(3), row.getString(4)));
      }
    }
  }

  /** Why zdm will not drop it this way; empty for a plain table. */
  public Optional<String> refusal(TableRef table) {
    String what = switch (relkind) {
      case "r" -> null;
      case "p" -> "a partitioned table (moving it aside would leave its partitions behind)";
      case "v" -> "a view (DROP VIEW drops it; it holds no data)";
      case "m" -> "a materialized view (DROP MATERIALIZED VIEW drops it; it can be refreshed again)";
      case "S" -> "a sequence";
      case "f" -> "a foreign table";
      case "i", "I" -> "an index";
      default -> "not a table (relkind " + relkind + ")";
    };
    if (what == null && partition) {
      what = "a partition (detach it first, then drop it as a table)";
    }
    return what == null ? Optional.empty() : Optional.of(table.displayName() + " is " + what
        + ": zdm drops only plain tables this way");
  }
}
