package dev.zdm.worker;

import dev.zdm.temporalclient.MigrationSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;


/**
 * {@code zdm_migrations{state=...}}: open migrations by what they wait for ("running" when they
 * wait for nothing), from Temporal's visibility records ({@link MetricsRefresher} lists them).
 */
final class MigrationStateGauge {
  private final MultiGauge gauge;

  MigrationStateGauge(MeterRegistry registry) {
    this.gauge =
        MultiGauge.builder("zdm.migrations")
            .description("Open zdm migrations by what they wait for")
            .register(registry);
  }

  /** "running" when the migration waits for nothing, else "waiting:" and what it waits for. */
  static String stateOf(MigrationSummary migration) {
    return migration.waitingFor() == null ? "running" : "waiting:" + migration.waitingFor();
  }

  void update(List<MigrationSummary> open) {
    Map<String, Long> counts =
        open.stream()
            .collect(
                Collectors.groupingBy(MigrationStateGauge::stateOf, Collectors.counting()));
    gauge.register(
        counts.entrySet().stream()
            .map(e -> MultiGauge.Row.of(Tags.of("state", e.getKey()), e.getValue()))
            .collect(Collectors.toList()),
        true);
  }
}
