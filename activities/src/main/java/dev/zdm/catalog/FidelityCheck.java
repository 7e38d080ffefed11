package dev.zdm.catalog;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.ledger.Ledger;
import dev.zdm.model.TableRef;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The check before a point of no return (docs/decisions/0500): the table's description when the
 * step began, kept in the ledger, against the description now, leaving out what the step itself
 * changes. Every check is recorded in the ledger, passed or not.
 */
public final class FidelityCheck {
  private final TableSnapshots snapshots;

  public FidelityCheck(Ledger ledger) {
    this.snapshots = new TableSnapshots(ledger);
  }

  /** What a check found: the differences, and whether there was a snapshot to compare with. */
  public record Result(boolean compared, List<String> differences) {
    public boolean passed() {
      return differences.isEmpty();
    }

    /**
     * The status line of a passed check, or the non-retryable failure that stops the step.
     *
     * @param step what would follow, for the message ("the cut-over of ...")
     * @param unchanged what a passed comparison showed, for the status
     */
    public String passedOrThrow(String migrationId, TableRef table, String step, String unchanged) {
      if (!passed()) {
        throw ApplicationFailure.newNonRetryableFailure("[" + migrationId + "] fidelity check failed before "
            + step + ": " + table + " changed since the step began in ways the migration did not ask for:\n  "
            + String.join("\n  ", differences) + "\nNothing irreversible was done. Restore what changed (or"
            + " start a new migration that includes the change) and run the migration again.",
            ZdmFailures.FIDELITY_CHECK_FAILED);
      }
      return compared
          ? unchanged
          : "no description of " + table + " from the step's start (it began on an earlier release):"
              + " nothing compared";
    }
  }

  /** Keeps the table's description as this step's snapshot, unless the step already has one. */
  public void snapshot(Connection connection, String migrationId, String step, TableRef table) throws SQLException {
    Optional<TableDescription> description = new TableDescriber(connection).describe(table);
    if (description.isPresent()) {
      snapshots.takeOnce(connection, migrationId, step, description.get());
    }
  }

  /** The description kept as this step's snapshot, if any. */
  public Optional<TableDescription> snapshotOf(Connection connection, String migrationId, String step, TableRef table)
      throws SQLException {
    return snapshots.find(connection, migrationId, step, table);
  }

  /**
   * Compares and records. A step that began on a release without snapshots has none: the current
   * description becomes its snapshot and the result says nothing was compared.
   *
   * @param expected what the step itself adds, alters or drops
   */
  public Result check(Connection connection, String migrationId, String step, TableRef table,
      StepChanges expected) throws SQLException {
    Optional<TableDescription> before = snapshots.find(connection, migrationId, step, table);
    Optional<TableDescription> now = new TableDescriber(connection).describe(table);
    if (now.isEmpty()) {
      List<String> gone = List.of("missing table " + table);
      snapshots.recordCheck(connection, migrationId, step, table, gone);
      return new Result(before.isPresent(), gone);
    }
    if (before.isEmpty()) {
      snapshots.takeOnce(connection, migrationId, step, now.get());
      snapshots.recordCheck(connection, migrationId, step, table, List.of());
      return new Result(false, List.of());
    }
    List<String> differences = FidelityDiff.between(DescriptionFacts.of(before.get()), DescriptionFacts.of(now.get()),
        object -> expected.expected(object, before.get(), now.get()));
    snapshots.recordCheck(connection, migrationId, step, table, differences);
    return new Result(true, differences);
  }
}
