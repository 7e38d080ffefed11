package dev.zdm.expandcontract;

import dev.zdm.model.TableRef;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** The database steps of expand-contract; each is idempotent and has its undo beside it. */
@ActivityInterface
public interface ExpandContractActivities {

  /** Column comment + {@code _migration_deprecations} row; returns the ledger's dates. */
  @ActivityMethod(name = "DeprecateColumn")
  Deprecation deprecateColumn(ExpandContractRequest request);

  /** Undo of {@link #deprecateColumn}: the guide's rollback procedure. */
  @ActivityMethod(name = "RemoveDeprecation")
  void removeDeprecation(ExpandContractRequest request);

  /**
   * Creates the archive table (keyed like the table, marked as this migration's) or finds this
   * migration's own; returns its name for the batch engine's copy. Refuses another migration's.
   */
  @ActivityMethod(name = "CreateArchive")
  TableRef createArchive(ExpandContractRequest request);

  /**
   * Creates the archive kept current by a trigger, or finds this migration's own: the archive
   * table (keyed like the table, named with a hash of schema, table and column), and on the table
   * an AFTER INSERT OR UPDATE trigger that upserts each written value into it. Run before the
   * batch copy; returns the archive for it. Refuses objects of those names another migration
   * owns.
   */
  @ActivityMethod(name = "CreateKeptArchive")
  TableRef createKeptArchive(ExpandContractRequest request);

  /**
   * Undo of {@link #createKeptArchive}: drops the trigger, its function and the archive table,
   * each only where its owner comment names this migration.
   */
  @ActivityMethod(name = "DropKeptArchive")
  void dropKeptArchive(ExpandContractRequest request);

  /**
   * The irreversible step of runs whose archive is kept current: checks that the trigger is in
   * place (else fails, nothing dropped), then drops the column, the trigger and its function in
   * one short transaction (with lock_timeout and retry) and marks the ledger.
   */
  @ActivityMethod(name = "DropColumnWithKeptArchive")
  void dropColumnWithKeptArchive(ExpandContractRequest request);

  /**
   * Copies the column's data, keyed by primary key, to an archive table, then verifies it. Runs
   * started before the archive went through the batch engine only.
   */
  @ActivityMethod(name = "ArchiveColumn")
  ArchiveResult archiveColumn(ExpandContractRequest request);

  /** Undo of {@link #archiveColumn}. */
  @ActivityMethod(name = "DropArchive")
  void dropArchive(ExpandContractRequest request);

  /**
   * Before the drop: no index, constraint or view that uses the column may have appeared or
   * changed since it was deprecated (they would be dropped with it, and say it is in use again);
   * otherwise fails (FidelityCheckFailed) with the differences. Returns what was compared.
   */
  @ActivityMethod(name = "CheckDropFidelity")
  String checkFidelity(ExpandContractRequest request);

  /**
   * The irreversible step of runs whose archive has no trigger: a last catch-up into it, then the
   * drop (with lock_timeout and retry), and marks the ledger.
   */
  @ActivityMethod(name = "DropColumn")
  void dropColumn(ExpandContractRequest request);
}
