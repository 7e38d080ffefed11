package dev.zdm.analysis;

import dev.zdm.model.TableRef;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Estimates how long a traced statement holds its lock on the real table: the lock PostgreSQL
 * held on the scratch copy, and whether it rewrote or scanned the table there, applied to the
 * target table's size from statistics ({@link TableStatistics}) and rates measured on the scratch
 * server ({@link SampleRates}). Data-moving statements are not estimated: on empty scratch tables
 * their plan says nothing of their cost.
 */
public final class TracedDowntimeEstimator {
  private final TableStatistics statistics;
  private final SampleRates rates;

  public TracedDowntimeEstimator(TableStatistics statistics, SampleRates rates) {
    this.statistics = statistics;
    this.rates = rates;
  }

  long acceptableLockMillis() {
    return CatalogDowntimeEstimator.ACCEPTABLE_LOCK_MILLIS;
  }

  /** Empty when the statement failed, moves data, or neither the trace nor the rules see work or a lock to time. */
  Optional<TracedEstimate> estimate(StatementAnalysis s, TracedStatement t, boolean movesData) {
    if (t == null || t.error() != null || movesData) {
      return Optional.empty();
    }
    if (!t.observed() && t.rewritten().isEmpty()) {
      // Run outside a transaction (CONCURRENTLY, VACUUM) or not run: its scans were not seen.
      return Optional.empty();
    }
    Set<String> rewritten = new LinkedHashSet<>(t.rewritten());
    Set<String> scanned = new LinkedHashSet<>(t.scanned());
    scanned.removeAll(rewritten);
    Set<String> worked = new LinkedHashSet<>(rewritten);
    worked.addAll(scanned);
    LockMode lock = t.observed() ? heldOn(t, worked.isEmpty() ? s.tables() : worked) : s.lockMode();
    List<String> changed = changedFacts(s, !rewritten.isEmpty(), !scanned.isEmpty(), t);
    if (worked.isEmpty()) {
      if (s.estimate() == null && !(t.mainTableExisting() && lock.blocksWrites())) {
        return Optional.empty();
      }
      String basis = "traced: PostgreSQL neither rewrote nor scanned " + String.join(", ",
          s.tables()) + "; " + lock.pgName() + " is held for the catalog change only, whatever"
          + " the table's size";
      return Optional.of(new TracedEstimate(new DowntimeEstimate(0, basis), lock, changed, true));
    }
    SampleRates.Rates measured = null;
    double millis = 0;
    boolean complete = true;
    List<String> parts = new ArrayList<>();
    boolean indexBuild = s.kind().contains("index") || s.kind().contains("reindex");
    for (String table : worked) {
      Optional<TableStatistics.TableSize> found = statistics.size(tableRef(table));
      if (found.isEmpty()) {
        complete = false;
        parts.add(table + ": no statistics on the target database");
        continue;
      }
      TableStatistics.TableSize size = found.get();
      measured = measured == null ? rates.rates() : measured;
      String work;
      if (rewritten.contains(table)) {
        millis += size.totalBytes() / measured.rewriteBytesPerMs();
        work = "rewritten at " + SampleRates.mbPerSecond(measured.rewriteBytesPerMs());
      } else if (indexBuild) {
        millis += size.heapBytes() / measured.indexBytesPerMs();
        work = "scanned at index build " + SampleRates.mbPerSecond(measured.indexBytesPerMs());
      } else {
        millis += size.heapBytes() / measured.scanBytesPerMs();
        work = "scanned at " + SampleRates.mbPerSecond(measured.scanBytesPerMs());
      }
      parts.add(table + ": " + size.totalBytes() / 1024 + " kB, ~" + size.rows()
          + " rows (pg_class on the target database), " + work);
    }
    if (measured == null) {
      return Optional.empty();
    }
    String basis = "traced: " + lock.pgName() + " held while PostgreSQL worked; "
        + String.join("; ", parts) + "; rates " + rates.provenance();
    return Optional.of(new TracedEstimate(new DowntimeEstimate(Math.round(millis), basis), lock,
        changed, complete));
  }

  private static LockMode heldOn(TracedStatement t, Iterable<String> tables) {
    LockMode held = LockMode.NONE;
    for (String table : tables) {
      LockMode mode = t.locksHeld().get(table);
      held = mode == null ? held : held.strongest(mode);
    }
    return held;
  }

  private static List<String> changedFacts(
      StatementAnalysis s, boolean rewrite, boolean scan, TracedStatement t) {
    List<String> changed = new ArrayList<>();
    LockMode taken = TraceComparison.tracedOwnLock(s, t);
    LockMode expected = TraceComparison.significant(s.lockMode());
    if (t.observed() && t.mainTableExisting() && taken != expected) {
      changed.add("lock: zdm says " + expected.pgName() + ", PostgreSQL took " + taken.pgName());
    }
    if (rewrite != s.rewrite()) {
      changed.add("rewrite: zdm says " + yesNo(s.rewrite()) + ", PostgreSQL "
          + (rewrite ? "rewrote " + String.join(", ", t.rewritten()) : "rewrote nothing"));
    }
    boolean staticScan = s.scanUnderLock() && !s.rewrite();
    if (t.observed() && !rewrite && scan != staticScan) {
      changed.add("full scan: zdm says " + yesNo(staticScan) + ", PostgreSQL "
          + (scan ? "scanned " + String.join(", ", t.scanned()) : "scanned nothing"));
    }
    return changed;
  }

  private static String yesNo(boolean fact) {
    return fact ? "yes" : "no";
  }

  /** {@code schema.name} as the trace names a table. */
  private static TableRef tableRef(String qualified) {
    int dot = qualified.indexOf('.');
    return dot < 0 ? TableRef.of(qualified)
        : new TableRef(qualified.substring(0, dot), qualified.substring(dot + 1));
  }
}
