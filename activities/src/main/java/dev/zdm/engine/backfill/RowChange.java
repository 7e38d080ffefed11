package dev.zdm.engine.backfill;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.backfill.BackfillRequest;
import dev.zdm.backfill.BatchChange;
import dev.zdm.postgres.KeysetCursor;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * What one batch does to one key range, as SQL, for each kind of {@link BatchChange}. Predicates
 * are over the table as the engine's statements name it: by its quoted name, without an alias.
 */
sealed interface RowChange permits PredicateChange, TableCopy, TableComparison {

  /** Reads what the change needs from the catalog; refuses a change that cannot run. */
  static RowChange of(Connection connection, BackfillRequest request, KeysetCursor cursor)
      throws SQLException {
    BatchChange change = request.change();
    if (change instanceof BatchChange.Predicated predicated) {
      return new PredicateChange(request.table(), predicated);
    }
    if (change instanceof BatchChange.CopyRows copy) {
      return TableCopy.describe(connection, request, cursor, copy);
    }
    return TableComparison.describe(connection, request, cursor, (BatchChange.CompareRows) change);
  }

  /** The rows that still need the change: a batch touches only these. */
  String pending();

  /**
   * The rows the pass is not done with: verification counts them, and the walk follows such rows
   * written after the pass began (past its stop key). By default the pending ones.
   */
  default String outstanding() {
    return pending();
  }

  /**
   * Whether rows written after the pass began (past its stop key) are walked when they are
   * outstanding; a comparison instead compares everything after its last range when it ends.
   */
  default boolean followsNewRows() {
    return true;
  }

  /** Applies the change to the range after {@code after} (null: the start) up to {@code last}. */
  long apply(Connection connection, KeysetCursor cursor, List<String> after, List<String> last)
      throws SQLException;

  /** Runs once when the pass has walked every range, after the last one ({@code after}). */
  default void finish(Connection connection, KeysetCursor cursor, List<String> after)
      throws SQLException {}

  static ApplicationFailure refusal(BackfillRequest request, String message) {
    return ApplicationFailure.newNonRetryableFailure(
        "[" + request.migrationId() + "] " + message, ZdmFailures.INVALID_MIGRATION);
  }
}
