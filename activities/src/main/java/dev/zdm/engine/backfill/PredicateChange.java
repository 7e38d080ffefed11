package dev.zdm.engine.backfill;

import dev.zdm.backfill.BatchChange;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.Identifiers;
import dev.zdm.postgres.KeysetCursor;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/** An UPDATE or DELETE of the rows the migration's own predicate names. */
record PredicateChange(TableRef table, BatchChange.Predicated change) implements RowChange {

  @Override
  public String pending() {
    return change.pending();
  }

  @Override
  public long apply(Connection connection, KeysetCursor cursor, List<String> after, List<String> last)
      throws SQLException {
    String range = (after == null ? "true" : cursor.after(null)) + " AND " + cursor.atOrBefore(null);
    String sql;
    if (change instanceof BatchChange.UpdateRows update) {
      sql =
          """
          UPDATE %s SET %s
           WHERE %s AND (%s)
          """
              .formatted(Identifiers.quote(table), update.set(), range, update.pending());
    } else {
      sql =
          """
          DELETE FROM %s
           WHERE %s AND (%s)
          """
              .formatted(Identifiers.quote(table), range, change.pending());
    }
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      int next = after == null ? 1 : cursor.bindAfter(statement, 1, after);
      cursor.bindAfter(statement, next, last);
      return statement.executeUpdate();
    }
  }
}
