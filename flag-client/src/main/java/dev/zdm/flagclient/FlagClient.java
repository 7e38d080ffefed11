package dev.zdm.flagclient;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import javax.sql.DataSource;

/**
 * Answers {@code isEnabled(flag, id)} exactly as the ledger's {@code check_feature_flag} does,
 * reading each flag's row at most once per cache period: a rollout step reaches the application
 * within that period, and the database sees one query per flag per period, not one per request.
 */
public final class FlagClient {
  public static final Duration DEFAULT_CACHE = Duration.ofSeconds(5);
  public static final String DEFAULT_SCHEMA = "public";

  private final DataSource dataSource;
  private final String selectFlag;
  private final long cacheNanos;
  private final LongSupplier nanoTime;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  /** The row as last read; {@code absent} for a flag with no row (never enabled). */
  private record Cached(boolean enabled, int percentage, long readAtNanos) {}

  public FlagClient(DataSource dataSource) {
    this(dataSource, DEFAULT_SCHEMA, DEFAULT_CACHE);
  }

  public FlagClient(DataSource dataSource, String ledgerSchema, Duration cacheFor) {
    this(dataSource, ledgerSchema, cacheFor, System::nanoTime);
  }

  FlagClient(DataSource dataSource, String ledgerSchema, Duration cacheFor, LongSupplier nanoTime) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.selectFlag = "SELECT enabled, rollout_percentage FROM "
        + quote(ledgerSchema) + "._migration_feature_flags WHERE flag_name = ?";
    this.cacheNanos = cacheFor.toNanos();
    this.nanoTime = nanoTime;
  }

  /**
   * Whether {@code id} is in the flag's rollout; an id is compared by its text form, as the SQL
   * function does ({@code 42}, {@code "user-42"} and a UUID all work).
   *
   * @throws FlagUnavailableException when the row cannot be read and none was read before (a
   *     row read before is used while the database is unreachable)
   */
  public boolean isEnabled(String flag, Object id) {
    Cached row = row(flag);
    if (!row.enabled()) {
      return false;
    }
    return row.percentage() >= 100
        || FlagBuckets.bucket(flag, String.valueOf(id)) < row.percentage();
  }

  private Cached row(String flag) {
    long now = nanoTime.getAsLong();
    Cached cached = cache.get(flag);
    if (cached != null && now - cached.readAtNanos() < cacheNanos) {
      return cached;
    }
    try {
      Cached fresh = read(flag, now);
      cache.put(flag, fresh);
      return fresh;
    } catch (SQLException e) {
      if (cached != null) {
        return cached;
      }
      throw new FlagUnavailableException("cannot read flag " + flag + ": " + e.getMessage(), e);
    }
  }

  private Cached read(String flag, long now) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement(selectFlag)) {
      select.setString(1, flag);
      try (ResultSet row = select.executeQuery()) {
        return row.next()
            ? new Cached(row.getBoolean(1), row.getInt(2), now)
            : new Cached(false, 0, now);
      }
    }
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  /** The flag's row could not be read and no earlier reading exists. */
  public static final class FlagUnavailableException extends RuntimeException {
    FlagUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
