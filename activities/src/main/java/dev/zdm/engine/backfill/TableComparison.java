package dev.zdm.engine.backfill;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.backfill.BackfillRequest;
import dev.zdm.backfill.BatchChange;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.Catalog;
import dev.zdm.postgres.Identifiers;
import dev.zdm.postgres.KeysetCursor;
import io.temporal.failure.ApplicationFailure;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@link BatchChange.CompareRows}: each batch compares one key range of the table with the same
 * range of the target, row count and a checksum over the columns of the same type on both sides,
 * in one statement (one snapshot: a sync trigger writes both tables in the writer's transaction).
 * When the walk ends, everything after the last range is compared too, so rows that only the
 * target has are found wherever their keys are. A difference fails the pass (not retryable).
 */
final class TableComparison implements RowChange {
  private final String migrationId;
  private final TableRef source;
  private final TableRef target;
  private final String checksum;

  private TableComparison(String migrationId, TableRef source, TableRef target, String checksum) {
    this.migrationId = migrationId;
    this.source = source;
    this.target = target;
    this.checksum = checksum;
  }

  static TableComparison describe(
      Connection connection, BackfillRequest request, KeysetCursor cursor, BatchChange.CompareRows compare)
      throws SQLException {
    Catalog catalog = new Catalog(connection);
    if (!catalog.tableExists(compare.target())) {
      throw RowChange.refusal(request, "the comparison's target " + compare.target() + " does not exist");
    }
    List<String> columns = catalog.sharedColumns(request.table(), compare.target(), true);
    String checksum = "coalesce(sum(hashtext(ROW(" + columns.stream().map(c -> "x." + Identifiers.quote(c))
        .collect(Collectors.joining(", ")) + ")::text)::bigint), 0)";
    return new TableComparison(request.migrationId(), request.table(), compare.target(), checksum);
  }

  /** Nothing is ever pending: the comparison changes no row, and is its own verification. */
  @Override
  public String pending() {
    return "false";
  }

  @Override
  public boolean followsNewRows() {
    return false;
  }

  @Override
  public long apply(Connection connection, KeysetCursor cursor, List<String> after, List<String> last)
      throws SQLException {
    compare(connection, cursor, after, last);
    return 0;
  }

  @Override
  public void finish(Connection connection, KeysetCursor cursor, List<String> after)
      throws SQLException {
    compare(connection, cursor, after, null);
  }

  private void compare(Connection connection, KeysetCursor cursor, List<String> after, List<String> last)
      throws SQLException {
    String range = (after == null ? "true" : cursor.after("x"))
        + " AND " + (last == null ? "true" : cursor.atOrBefore("x"));
    String sql =
        """
        SELECT (SELECT count(*) FROM %1$s x WHERE %3$s), (SELECT %4$s FROM %1$s x WHERE %3$s),
               (SELECT count(*) FROM %2$s x WHERE %3$s), (SELECT %4$s FROM %2$s x WHERE %3$s)
        """
            .formatted(Identifiers.quote(source), Identifiers.quote(target), range, checksum);
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      int index = 1;
      for (int side = 0; side < 4; side++) {
        index = after == null ? index : cursor.bindAfter(statement, index, after);
        index = last == null ? index : cursor.bindAfter(statement, index, last);
      }
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        long sourceRows = row.getLong(1);
        BigDecimal sourceSum = row.getBigDecimal(2);
        long targetRows = row.getLong(3);
        BigDecimal targetSum = row.getBigDecimal(4);
        if (sourceRows != targetRows || sourceSum.compareTo(targetSum) != 0) {
          throw ApplicationFailure.newNonRetryableFailure(
              "[" + migrationId + "] " + source + " and " + target + " differ in the key range after "
                  + (after == null ? "the start" : after) + " up to " + (last == null ? "the end" : last)
                  + ": " + sourceRows + " vs " + targetRows + " rows, checksum " + sourceSum + " vs "
                  + targetSum + ". Nothing irreversible was done.",
              ZdmFailures.VERIFICATION_FAILED);
        }
      }
    }
  }
}
