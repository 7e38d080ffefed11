package dev.zdm.worker;

import dev.zdm.temporalclient.MigrationLister;
import dev.zdm.temporalclient.MigrationSummary;
import dev.zdm.temporalclient.TemporalConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code zdm_migrations{state=...}}: open migrations by what they wait for ("running" when they
 * wait for nothing), refreshed from Temporal's visibility records.
 */
final class MigrationStateGauge {
  static final Duration REFRESH_INTERVAL = Duration.ofSeconds(30);
  private static final Logger log = LoggerFactory.getLogger(MigrationStateGauge.class);

  private final MultiGauge gauge;
  private final MigrationLister lister;

  MigrationStateGauge(MeterRegistry registry, TemporalConnection temporal) {
    this.gauge =
        MultiGauge.builder("zdm.migrations")
            .description("Open zdm migrations by what they wait for")
            .register(registry);
    this.lister = new MigrationLister(temporal.service(), temporal.config().namespace());
  }

  void register() {
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "zdm-migration-state-gauge");
              thread.setDaemon(true);
              return thread;
            });
    scheduler.scheduleWithFixedDelay(
        this::refresh, 0, REFRESH_INTERVAL.toSeconds(), TimeUnit.SECONDS);
  }

  private void refresh() {
    try {
      Map<String, Long> counts =
          lister.list(false).stream()
              .collect(
                  Collectors.groupingBy(
                      (MigrationSummary m) ->
                          m.waitingFor() == null ? "running" : "waiting:" + m.waitingFor(),
                      Collectors.counting()));
      gauge.register(
          counts.entrySet().stream()
              .map(e -> MultiGauge.Row.of(Tags.of("state", e.getKey()), e.getValue()))
              .collect(Collectors.toList()),
          true);
    } catch (RuntimeException e) {
      log.debug("could not refresh the migrations gauge: {}", e.toString());
    }
  }
}
