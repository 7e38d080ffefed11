package dev.zdm.analysis;

import java.sql.Connection;
import java.util.Optional;

/**
 * Estimates lock time from the target database: each table's size and row estimate from the
 * catalog, divided by rates measured once by timing a temporary sample table (scan, rewrite,
 * index build). An estimate, stated with its basis: caches, I/O and concurrent load differ
 * between the sample and the real table.
 */
public final class CatalogDowntimeEstimator implements DowntimeEstimator {
  /** A lock held shorter than this is not worth a multi-phase strategy. */
  public static final long ACCEPTABLE_LOCK_MILLIS = 500;

  private final TableStatistics statistics;
  private final SampleRates rates;

  /** Sizes and rates both from the target database. */
  public CatalogDowntimeEstimator(Connection connection) {
    this(new TableStatistics(connection), new SampleRates(connection, "this database"));
  }

  /** Sizes from the target database's statistics, rates measured elsewhere (the scratch server). */
  public CatalogDowntimeEstimator(TableStatistics statistics, SampleRates rates) {
    this.statistics = statistics;
    this.rates = rates;
  }

  @Override
  public long acceptableLockMillis() {
    return ACCEPTABLE_LOCK_MILLIS;
  }

  @Override
  public Optional<DowntimeEstimate> estimate(Action action, LockFacts facts) {
    ActionKind kind = action.kind();
    boolean dml = kind == ActionKind.UPDATE || kind == ActionKind.DELETE;
    if (action.table() == null || !(facts.holdsLockForTableSize() || dml)
        || kind == ActionKind.TRUNCATE) {
      return Optional.empty();
    }
    Optional<TableStatistics.TableSize> found = statistics.size(action.table());
    if (found.isEmpty()) {
      return Optional.empty();
    }
    TableStatistics.TableSize size = found.get();
    SampleRates.Rates measured = rates.rates();
    double millis;
    String rateName;
    if (facts.rewrite() || dml) {
      millis = size.totalBytes() / measured.rewriteBytesPerMs();
      rateName = "rewrite " + SampleRates.mbPerSecond(measured.rewriteBytesPerMs());
    } else if (kind == ActionKind.CREATE_INDEX || kind == ActionKind.REINDEX
        || kind == ActionKind.ADD_CONSTRAINT && isIndexBuild(action)) {
      millis = size.heapBytes() / measured.indexBytesPerMs();
      rateName = "index build " + SampleRates.mbPerSecond(measured.indexBytesPerMs());
    } else {
      millis = size.heapBytes() / measured.scanBytesPerMs();
      rateName = "scan " + SampleRates.mbPerSecond(measured.scanBytesPerMs());
    }
    String basis = action.table().displayName() + ": " + size.totalBytes() / 1024 + " kB, ~"
        + size.rows() + " rows (pg_class); " + rateName + " " + rates.provenance();
    return Optional.of(new DowntimeEstimate(Math.round(millis), basis));
  }

  private static boolean isIndexBuild(Action action) {
    return action.detail() instanceof ConstraintDefinition c
        && (c.type() == ConstraintDefinition.Type.UNIQUE
            || c.type() == ConstraintDefinition.Type.PRIMARY_KEY);
  }
}
