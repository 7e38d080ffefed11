package dev.zdm.postgres;

import dev.zdm.ledger.CircuitBreaker;
import dev.zdm.ledger.Ledger;
import dev.zdm.metrics.ZdmMetrics;
import javax.sql.DataSource;

/** The target database as activities see it: its pool, its ledger, its breaker and the runner. */
public record TargetDatabase(
    DataSource dataSource,
    Ledger ledger,
    CircuitBreaker breaker,
    StatementRunner runner,
    ZdmMetrics metrics) {

  public static TargetDatabase of(DataSource dataSource, DatabaseConfig config, ZdmMetrics metrics) {
    Ledger ledger = new Ledger(dataSource, config.ledgerSchema());
    CircuitBreaker breaker = new CircuitBreaker(ledger, config.breakerName());
    return new TargetDatabase(
        dataSource, ledger, breaker, new StatementRunner(dataSource, breaker, metrics), metrics);
  }
}
