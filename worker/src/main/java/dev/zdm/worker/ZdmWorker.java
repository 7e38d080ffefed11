package dev.zdm.worker;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import dev.zdm.error.ZdmException;
import dev.zdm.ledger.Ledger;
import dev.zdm.metrics.ZdmMetrics;
import dev.zdm.postgres.Database;
import dev.zdm.postgres.TargetDatabase;
import dev.zdm.temporalclient.SearchAttributeRegistrar;
import dev.zdm.temporalclient.TemporalConnection;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running zdm worker: connects to Temporal and the target database, installs the ledger,
 * registers every workflow and activity on the task queue and serves metrics.
 */
public final class ZdmWorker implements AutoCloseable {
  /** How long workflow code may hold its thread before the SDK calls it a deadlock. */
  static final Duration DEADLOCK_DETECTION_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration METRICS_REPORT_INTERVAL = Duration.ofSeconds(10);
  public static final int DATABASE_POOL_SIZE = 10;

  private static final Logger log = LoggerFactory.getLogger(ZdmWorker.class);

  private final WorkerConfig config;
  private final PrometheusMeterRegistry registry;
  private final MetricsServer metricsServer;
  private final Scope metricsScope;
  private final TemporalConnection temporal;
  private final Database database;
  private final WorkerFactory factory;

  private ZdmWorker(
      WorkerConfig config,
      PrometheusMeterRegistry registry,
      MetricsServer metricsServer,
      Scope metricsScope,
      TemporalConnection temporal,
      Database database,
      WorkerFactory factory) {
    this.config = config;
    this.registry = registry;
    this.metricsServer = metricsServer;
    this.metricsScope = metricsScope;
    this.temporal = temporal;
    this.database = database;
    this.factory = factory;
  }

  public static ZdmWorker start(WorkerConfig config) {
    PrometheusMeterRegistry registry = MetricsServer.newRegistry();
    Scope scope =
        new RootScopeBuilder()
            .reporter(new MicrometerClientStatsReporter(registry))
            .reportEvery(com.uber.m3.util.Duration.ofMillis(METRICS_REPORT_INTERVAL.toMillis()));
    MetricsServer metricsServer = null;
    TemporalConnection temporal = null;
    Database database = null;
    try {
      if (config.metricsPort() != null) {
        metricsServer = MetricsServer.start(registry, config.metricsPort());
      }
      database = Database.open(config.database(), "zdm-worker", DATABASE_POOL_SIZE, registry);
      new Ledger(database.dataSource(), config.database().ledgerSchema()).install();
      temporal = TemporalConnection.openChecked(config.temporal(), scope);
      SearchAttributeRegistrar.register(temporal.service(), config.temporal().namespace());
      TargetDatabase target =
          TargetDatabase.of(database.dataSource(), config.database(), new ZdmMetrics(registry));
      WorkerFactory factory = WorkerFactory.newInstance(temporal.client());
      Worker worker =
          factory.newWorker(
              config.temporal().taskQueue(),
              WorkerOptions.newBuilder()
                  .setMaxConcurrentActivityExecutionSize(config.maxConcurrentActivities())
                  // Without this a restarted worker may never get its workflows back from the
                  // test server, and on a real server it only delays recovery.
                  .setStickyQueueScheduleToStartTimeout(Duration.ZERO)
                  // A freshly upgraded worker replaying a long history on a cold JVM (class
                  // loading, Jackson serializers) stalls past the SDK's 1 s deadlock alarm.
                  .setDefaultDeadlockDetectionTimeout(DEADLOCK_DETECTION_TIMEOUT.toMillis())
                  .build());
      Registrations.registerAll(worker, target, config.maxConcurrentMigrations());
      new MetricsRefresher(temporal, new MigrationStateGauge(registry),
          new MigrationProgressGauges(registry, target)).start();
      factory.start();
      log.info(
          "zdm worker polling task queue {} at {} (namespace {}), database {}, ledger schema {}{}",
          config.temporal().taskQueue(),
          config.temporal().address(),
          config.temporal().namespace(),
          config.database().safeUrl(),
          config.database().ledgerSchema(),
          metricsServer == null ? "" : ", metrics on :" + metricsServer.port() + "/metrics");
      return new ZdmWorker(config, registry, metricsServer, scope, temporal, database, factory);
    } catch (SQLException e) {
      closeQuietly(metricsServer, temporal, database);
      throw Database.failure(config.database(), e);
    } catch (IOException e) {
      closeQuietly(metricsServer, temporal, database);
      throw ZdmException.badInput(
          "cannot serve metrics on port " + config.metricsPort() + ": " + e.getMessage());
    } catch (RuntimeException e) {
      closeQuietly(metricsServer, temporal, database);
      throw e;
    }
  }

  public WorkerConfig config() {
    return config;
  }

  public Integer metricsPort() {
    return metricsServer == null ? null : metricsServer.port();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    factory.shutdown();
    factory.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
    closeQuietly(metricsScope::close, metricsServer, temporal, database);
  }

  private static void closeQuietly(AutoCloseable... resources) {
    for (AutoCloseable resource : resources) {
      if (resource == null) {
        continue;
      }
      try {
        resource.close();
      } catch (Exception e) {
        log.debug("while closing {}: {}", resource, e.toString());
      }
    }
  }
}
