package dev.zdm.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** zdm's own meters, next to the Temporal SDK's in the worker's Prometheus endpoint. */
public final class ZdmMetrics {
  private static final String LAG = "zdm.migration.replication.lag";
  private static final String WAITERS = "zdm.migration.lock.waiters";
  private static final String BATCH_DURATION = "zdm.migration.batch.duration";

  private final MeterRegistry registry;
  private final Counter lockTimeouts;
  private final AtomicInteger breakerOpen = new AtomicInteger();
  /** What the throttle last saw, per pass (migration, step, table) this worker runs a chunk of. */
  private final Map<BatchedPass, AtomicLong> lagMillis = new ConcurrentHashMap<>();
  private final Map<BatchedPass, AtomicInteger> lockWaiters = new ConcurrentHashMap<>();

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

  /** A statement of this migration gave up waiting for a lock and will be retried. */
  public void lockTimeoutRetried(String migrationId) {
    lockTimeouts.increment();
    Counter.builder("zdm.migration.lock.timeouts")
        .description("Statements of this migration that gave up waiting for a lock and will be retried")
        .tag("migration", migrationId)
        .register(registry)
        .increment();
  }

  public void breakerState(boolean open) {
    breakerOpen.set(open ? 1 : 0);
  }

  /** What the backfill throttle saw before a batch: the standbys' replay lag and the lock waiters. */
  public void throttleReading(BatchedPass pass, Duration replicationLag, int waiters) {
    lagMillis.computeIfAbsent(pass, p -> {
      AtomicLong holder = new AtomicLong();
      Gauge.builder(LAG, holder, value -> value.get() / 1000.0)
          .description("Largest replay lag of a standby, as the backfill throttle last saw it")
          .baseUnit("seconds")
          .tags(p.tags())
          .register(registry);
      return holder;
    }).set(replicationLag.toMillis());
    lockWaiters.computeIfAbsent(pass, p -> {
      AtomicInteger holder = new AtomicInteger();
      Gauge.builder(WAITERS, holder, AtomicInteger::get)
          .description("Sessions waiting for a lock on the table, as the backfill throttle last saw them")
          .tags(p.tags())
          .register(registry);
      return holder;
    }).set(waiters);
  }

  /** A batch of the pass committed; took is from its start to its commit. */
  public void batchRan(BatchedPass pass, Duration took) {
    Timer.builder(BATCH_DURATION)
        .description("Time one batch of a batched pass took, from its start to its commit")
        .tags(pass.tags())
        .register(registry)
        .record(took);
  }

  /**
   * This worker stopped running the pass (a chunk ended): the throttle's readings go, so a pass
   * that moves to another worker or ends leaves no stale lag behind here.
   */
  public void throttleStopped(BatchedPass pass) {
    if (lagMillis.remove(pass) != null) {
      registry.find(LAG).tags(pass.tags()).gauges().forEach(registry::remove);
    }
    if (lockWaiters.remove(pass) != null) {
      registry.find(WAITERS).tags(pass.tags()).gauges().forEach(registry::remove);
    }
  }

  /**
   * The pass finished or was cancelled (any table): its batch timer goes too, so series stay
   * those of unfinished passes.
   */
  public void passEnded(String migrationId, String step) {
    lagMillis.keySet().removeIf(pass -> pass.of(migrationId, step));
    lockWaiters.keySet().removeIf(pass -> pass.of(migrationId, step));
    Tags tags = Tags.of("migration", migrationId, "step", step);
    for (String name : new String[] {LAG, WAITERS, BATCH_DURATION}) {
      registry.find(name).tags(tags).meters().forEach(registry::remove);
    }
  }

  /** The labels of one batched pass's meters, as the progress gauges label it. */
  public record BatchedPass(String migrationId, String step, String table) {
    Tags tags() {
      return Tags.of("migration", migrationId, "step", step, "table", table);
    }

    boolean of(String migrationId, String step) {
      return this.migrationId.equals(migrationId) && this.step.equals(step);
    }
  }
}
