package dev.zdm.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/** zdm's own meters, next to the Temporal SDK's in the worker's Prometheus endpoint. */
public final class ZdmMetrics {
  private final MeterRegistry registry;
  private final Counter lockTimeouts;
  private final AtomicInteger breakerOpen = new AtomicInteger();

  public ZdmMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.lockTimeouts =
        Counter.builder("zdm.lock.timeouts")
            .description("Statements that gave up waiting for a lock and will be retried")
            .register(registry);
    Gauge.builder("zdm.circuit.breaker.open", breakerOpen, AtomicInteger::get)
        .description("1 while the database's circuit breaker is open")
        .register(registry);
  }

  /** For tests and tools that do not export metrics. */
  public static ZdmMetrics discarding() {
    return new ZdmMetrics(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** outcome: ok, lock_timeout, refused, failed. */
  public void statementRun(String outcome) {
    Counter.builder("zdm.ddl.statements")
        .description("Statements run by zdm's DDL runner, by outcome")
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }

  public void lockTimeoutRetried() {
    lockTimeouts.increment();
  }

  public void breakerState(boolean open) {
    breakerOpen.set(open ? 1 : 0);
  }
}
