package dev.zdm.dualwrite;

import dev.zdm.backfill.BatchSettings;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.TableRef;
import java.util.Objects;

/**
 * Input of one dual-write run. Expressions are SQL from the migration file with {@code {old}} and
 * {@code {new}} standing for the two columns' values (in the trigger they become {@code NEW.col},
 * in a batch the column itself); they are never taken from a signal.
 *
 * @param oldColumn the column the application uses today (RENAME_COLUMN, CHANGE_TYPE); for
 *     ADD_NOT_NULL an optional source column that {@code forward} reads
 * @param newColumn the target name (RENAME_COLUMN, ADD_NOT_NULL); for CHANGE_TYPE null picks
 *     {@code <old>_zdm_new}, the name used until the column is renamed into place
 * @param newType the new column's type; null for RENAME_COLUMN keeps the old type
 * @param forward new value from old, e.g. {@code CAST({old} AS bigint)}; null: the plain copy or
 *     cast; for ADD_NOT_NULL null means {@code notNullDefault}
 * @param inverse old value from new, for writes that arrive through the new column only; null: the
 *     plain copy or cast back
 * @param notNullDefault ADD_NOT_NULL: the column's DEFAULT once it is NOT NULL (SQL expression)
 * @param continued set only by continue-as-new: where the previous run stopped
 * @param progressStep the key of this plan step's rows in {@code _migration_progress}, unique per
 *     step of the file; null in requests of the first release ({@link #FIRST_RELEASE_STEP})
 * @param readsFlag a flag whose rollout reaching 100 % passes the reads gate; null: the gate waits
 *     for {@code zdm deployed --stage reads}
 */
public record DualWriteRequest(
    String migrationId,
    DualWriteKind kind,
    TableRef table,
    String oldColumn,
    String newColumn,
    String newType,
    String forward,
    String inverse,
    String notNullDefault,
    BatchSettings batch,
    MigrationOptions options,
    DualWriteContinuation continued,
    String progressStep,
    String readsFlag) {

  public DualWriteRequest(
      String migrationId, DualWriteKind kind, TableRef table, String oldColumn, String newColumn,
      String newType, String forward, String inverse, String notNullDefault, BatchSettings batch,
      MigrationOptions options, DualWriteContinuation continued, String progressStep) {
    this(migrationId, kind, table, oldColumn, newColumn, newType, forward, inverse, notNullDefault,
        batch, options, continued, progressStep, null);
  }

  public static final String OLD = "{old}";
  public static final String NEW = "{new}";
  public static final String CHANGE_TYPE_SUFFIX = "_zdm_new";
  /** The progress key every dual-write used in release 0.1. */
  public static final String FIRST_RELEASE_STEP = "dual-write-backfill";

  public DualWriteRequest(
      String migrationId, DualWriteKind kind, TableRef table, String oldColumn, String newColumn,
      String newType, String forward, String inverse, String notNullDefault, BatchSettings batch,
      MigrationOptions options, DualWriteContinuation continued) {
    this(migrationId, kind, table, oldColumn, newColumn, newType, forward, inverse, notNullDefault,
        batch, options, continued, null);
  }

  public DualWriteRequest {
    Objects.requireNonNull(migrationId, "migrationId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(table, "table");
    batch = batch == null ? BatchSettings.defaults() : batch;
    options = options == null ? MigrationOptions.defaults() : options;
    switch (kind) {
      case RENAME_COLUMN -> {
        require(oldColumn, "oldColumn");
        require(newColumn, "newColumn");
      }
      case CHANGE_TYPE -> {
        require(oldColumn, "oldColumn");
        require(newType, "newType");
        newColumn = newColumn == null || newColumn.isBlank() ? oldColumn + CHANGE_TYPE_SUFFIX : newColumn;
      }
      case DERIVED_COLUMN -> {
        require(newColumn, "newColumn");
        require(newType, "newType");
        require(forward, "forward");
        if (oldColumn != null) {
          throw new IllegalArgumentException("DERIVED_COLUMN reads the row's columns by name: oldColumn must be null");
        }
      }
      case ADD_NOT_NULL -> {
        require(newColumn, "newColumn");
        require(newType, "newType");
        if (isBlank(forward) && isBlank(notNullDefault)) {
          throw new IllegalArgumentException(
              "ADD_NOT_NULL needs a forward expression or a notNullDefault to fill existing rows");
        }
      }
    }
    if (oldColumn != null && oldColumn.equals(newColumn)) {
      throw new IllegalArgumentException("oldColumn and newColumn must differ, both are " + oldColumn);
    }
  }

  public DualWriteRequest continuedAs(DualWriteContinuation next) {
    return new DualWriteRequest(
        migrationId, kind, table, oldColumn, newColumn, newType, forward, inverse, notNullDefault,
        batch, options, next, progressStep, readsFlag);
  }

  /** The progress key to use: this step's own, or the first release's shared one. */
  public String progressKey() {
    return progressStep == null ? FIRST_RELEASE_STEP : progressStep;
  }

  public DualWriteRequest withProgressStep(String key) {
    return new DualWriteRequest(migrationId, kind, table, oldColumn, newColumn, newType, forward,
        inverse, notNullDefault, batch, options, continued, key, readsFlag);
  }

  /** For messages: {@code orders.user_email -> customer_email}. */
  public String describe() {
    return switch (kind) {
      case RENAME_COLUMN -> "rename " + table.displayName() + "." + oldColumn + " to " + newColumn;
      case CHANGE_TYPE -> "change " + table.displayName() + "." + oldColumn + " to " + newType;
      case ADD_NOT_NULL -> "add " + table.displayName() + "." + newColumn + " " + newType + " NOT NULL";
      case DERIVED_COLUMN -> "derive " + table.displayName() + "." + newColumn + " " + newType
          + " NOT NULL = " + forward;
    };
  }

  private static void require(String value, String name) {
    if (isBlank(value)) {
      throw new IllegalArgumentException(name + " is required");
    }
  }

  private static boolean isBlank(String value) {
    return value == null || value.isBlank();
  }
}
