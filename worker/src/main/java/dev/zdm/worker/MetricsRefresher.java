package dev.zdm.worker;

import dev.zdm.temporalclient.MigrationLister;
import dev.zdm.temporalclient.MigrationSummary;
import dev.zdm.temporalclient.TemporalConnection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes the gauges read from outside the worker (Temporal's visibility records, the ledger)
 * every 30 s; the two sources are read independently, so one failing leaves the other's fresh.
 */
final class MetricsRefresher {
  static final Duration REFRESH_INTERVAL = Duration.ofSeconds(30);
  private static final Logger log = LoggerFactory.getLogger(MetricsRefresher.class);

  private final MigrationLister lister;
  private final MigrationStateGauge states;
  private final MigrationProgressGauges progress;

  MetricsRefresher(TemporalConnection temporal, MigrationStateGauge states, MigrationProgressGauges progress) {
    this.lister = new MigrationLister(temporal.service(), temporal.config().namespace());
    this.states = states;
    this.progress = progress;
  }

  void start() {
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "zdm-metrics-refresh");
              thread.setDaemon(true);
              return thread;
            });
    scheduler.scheduleWithFixedDelay(this::refresh, 0, REFRESH_INTERVAL.toSeconds(), TimeUnit.SECONDS);
  }

  void refresh() {
    try {
      List<MigrationSummary> open = lister.list(false);
      states.update(open);
      progress.refreshPhases(open);
    } catch (RuntimeException e) {
      log.debug("could not refresh the migrations' gauges from Temporal: {}", e.toString());
    }
    try {
      progress.refreshFromLedger();
    } catch (SQLException | RuntimeException e) {
      log.debug("could not refresh the migrations' gauges from the ledger: {}", e.toString());
    }
  }
}
