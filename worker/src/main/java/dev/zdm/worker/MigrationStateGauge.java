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

  void update(List<MigrationSummary> open) {
    Map<String, Long> counts =
        open.stream()
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
  }
}
