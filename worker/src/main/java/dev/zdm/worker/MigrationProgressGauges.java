package dev.zdm.worker;

import dev.zdm.ledger.BreakerState;
import dev.zdm.postgres.TargetDatabase;
import dev.zdm.temporalclient.MigrationSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-migration gauges: the batched passes' progress from the ledger's {@code _migration_progress}
 * (rows done and left, rows/s, ETA, batch size, paused), each open migration's phase and whether
 * an undo failed from Temporal's visibility records, and the breaker read from the ledger.
 * Every worker reads the same rows, so the values are the same on each (combine with max).
 */
final class MigrationProgressGauges {
  static final String UNDO_FAILED_PHASE = "rollback-failed";

  /** The batched passes not yet finished; rates are averages since the pass began. */
  private static final String PROGRESS_SQL =
      """
      SELECT migration_id, step, COALESCE(table_name, ''), status, rows_scanned, rows_total,
             batch_size, EXTRACT(EPOCH FROM (updated_at - started_at))
        FROM %s
       WHERE status IN ('running', 'paused')
      """;

  private final TargetDatabase database;
  private final MultiGauge rowsDone;
  private final MultiGauge rowsLeft;
  private final MultiGauge rowsPerSecond;
  private final MultiGauge etaSeconds;
  private final MultiGauge batchSize;
  private final MultiGauge paused;
  private final MultiGauge phase;
  private final MultiGauge undoFailed;

  MigrationProgressGauges(MeterRegistry registry, TargetDatabase database) {
    this.database = database;
    this.rowsDone = gauge(registry, "zdm.migration.rows.done", "Rows a batched pass has gone through");
    this.rowsLeft = gauge(registry, "zdm.migration.rows.left", "Rows a batched pass has still to go through");
    this.rowsPerSecond = gauge(registry, "zdm.migration.rows.per.second", "Rows per second since the pass began");
    this.etaSeconds = gauge(registry, "zdm.migration.eta.seconds", "Seconds left at the pass's rate so far");
    this.batchSize = gauge(registry, "zdm.migration.batch.size", "Rows per batch the pass uses now");
    this.paused = gauge(registry, "zdm.migration.paused", "1 while the pass is paused");
    this.phase = gauge(registry, "zdm.migration.phase", "1 for each open migration, labelled with its phase and state");
    this.undoFailed = gauge(registry, "zdm.migration.undo.failed", "1 while an undo of the migration failed (rollback-failed)");
  }

  private static MultiGauge gauge(MeterRegistry registry, String name, String description) {
    return MultiGauge.builder(name).description(description).register(registry);
  }

  /** Reads the ledger once; a failure leaves the last values. */
  void refreshFromLedger() throws SQLException {
    try (Connection connection = database.dataSource().getConnection()) {
      refreshProgress(connection);
      BreakerState breaker = database.breaker().state(connection);
      database.metrics().breakerState(breaker != null && breaker.isOpen());
    }
  }

  private void refreshProgress(Connection connection) throws SQLException {
    List<MultiGauge.Row<?>> done = new ArrayList<>();
    List<MultiGauge.Row<?>> left = new ArrayList<>();
    List<MultiGauge.Row<?>> rate = new ArrayList<>();
    List<MultiGauge.Row<?>> eta = new ArrayList<>();
    List<MultiGauge.Row<?>> size = new ArrayList<>();
    List<MultiGauge.Row<?>> stopped = new ArrayList<>();
    String sql = PROGRESS_SQL.formatted(database.ledger().qualified("_migration_progress"));
    try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      while (rows.next()) {
        Tags tags = Tags.of("migration", rows.getString(1), "step", rows.getString(2), "table", rows.getString(3));
        long scanned = rows.getLong(5);
        long total = rows.getLong(6);
        boolean totalKnown = !rows.wasNull();
        double seconds = rows.getDouble(8);
        double perSecond = seconds > 0 ? scanned / seconds : 0;
        done.add(MultiGauge.Row.of(tags, scanned));
        rate.add(MultiGauge.Row.of(tags, perSecond));
        stopped.add(MultiGauge.Row.of(tags, "paused".equals(rows.getString(4)) ? 1 : 0));
        int batch = rows.getInt(7);
        if (!rows.wasNull()) {
          size.add(MultiGauge.Row.of(tags, batch));
        }
        if (totalKnown) {
          long remaining = Math.max(0, total - scanned);
          left.add(MultiGauge.Row.of(tags, remaining));
          if (perSecond > 0) {
            eta.add(MultiGauge.Row.of(tags, remaining / perSecond));
          }
        }
      }
    }
    // overwrite = true: a pass that finished disappears instead of showing its last values.
    rowsDone.register(done, true);
    rowsLeft.register(left, true);
    rowsPerSecond.register(rate, true);
    etaSeconds.register(eta, true);
    batchSize.register(size, true);
    paused.register(stopped, true);
  }

  /** The open migrations as Temporal's visibility records list them. */
  void refreshPhases(List<MigrationSummary> migrations) {
    List<MultiGauge.Row<?>> phases = new ArrayList<>();
    List<MultiGauge.Row<?>> undos = new ArrayList<>();
    for (MigrationSummary migration : migrations) {
      String current = migration.phase() == null ? "unknown" : migration.phase();
      phases.add(MultiGauge.Row.of(Tags.of("migration", migration.id(), "phase", current,
          "state", MigrationStateGauge.stateOf(migration),
          "strategy", migration.strategy() == null ? "" : migration.strategy()), 1));
      undos.add(MultiGauge.Row.of(Tags.of("migration", migration.id()), UNDO_FAILED_PHASE.equals(current) ? 1 : 0));
    }
    phase.register(phases, true);
    undoFailed.register(undos, true);
  }
}
