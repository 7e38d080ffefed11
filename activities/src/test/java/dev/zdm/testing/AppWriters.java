package dev.zdm.testing;

import dev.zdm.postgres.SqlFailures;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The application during a migration: threads that insert, update and delete rows of a table
 * {@code (id bigint primary key, <value column> bigint, note text)} and remember what each row
 * must end up holding. Each thread owns the ids congruent to its number, so the expected final
 * state is exact. Which column the application writes can be switched while it runs, as a
 * deployment would. When the server goes away (a restart), each thread reconnects as a pooled
 * application would, and settles the write whose outcome it never heard by reading the row back.
 */
public final class AppWriters implements AutoCloseable {
  static final long RECONNECT_LIMIT_MILLIS = 120_000;

  private final String url;
  private final String qualifiedTable;
  private final int threads;
  private final long firstNewId;
  private final Map<Long, Long> expected = new ConcurrentHashMap<>();
  private final AtomicReference<String> writeColumn;
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong reconnects = new AtomicLong();
  private final List<String> errorSamples = new ArrayList<>();
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean running = true;

  /**
   * @param existing the rows already in the table: id to value
   * @param firstNewId inserts use ids from here up
   */
  public AppWriters(String qualifiedTable, String writeColumn, Map<Long, Long> existing, long firstNewId, int threads) {
    this(TestDatabase.url(), qualifiedTable, writeColumn, existing, firstNewId, threads);
  }

  /** Against the PostgreSQL at {@code url}. */
  public AppWriters(String url, String qualifiedTable, String writeColumn, Map<Long, Long> existing, long firstNewId,
      int threads) {
    this.url = url;
    this.qualifiedTable = qualifiedTable;
    this.writeColumn = new AtomicReference<>(writeColumn);
    this.expected.putAll(existing);
    this.firstNewId = firstNewId;
    this.threads = threads;
  }

  public AppWriters start() {
    for (int i = 0; i < threads; i++) {
      int number = i;
      Thread thread = new Thread(() -> write(number), "app-writer-" + i);
      thread.setDaemon(true);
      workers.add(thread);
      thread.start();
    }
    return this;
  }

  /** A deployment: from now on the application writes {@code column}. */
  public void switchTo(String column) {
    writeColumn.set(column);
  }

  public long writes() {
    return writes.get();
  }

  /** Writes that failed for another reason than a lost connection. */
  public long errors() {
    return errors.get();
  }

  /** How many times a thread lost its connection and made a new one. */
  public long reconnects() {
    return reconnects.get();
  }

  public synchronized List<String> errorSamples() {
    return List.copyOf(errorSamples);
  }

  public Map<Long, Long> expected() {
    return Map.copyOf(expected);
  }

  /** Blocks until at least {@code n} more writes have committed. */
  public void awaitWrites(long n) throws InterruptedException {
    long target = writes.get() + n;
    while (writes.get() < target && running) {
      Thread.sleep(10);
    }
  }

  private void write(int number) {
    Random random = new Random(number * 7919L);
    long nextId = firstNewId + number;
    List<Long> mine = new ArrayList<>(expected.keySet().stream().filter(id -> id % threads == number).toList());
    Connection connection = null;
    try {
      connection = DriverManager.getConnection(url);
      while (running) {
        String column = writeColumn.get();
        int op = random.nextInt(10);
        long id = -1;
        try {
          if (op < 3 || mine.isEmpty()) {
            id = nextId;
            nextId += threads;
            long value = random.nextInt(1_000_000);
            exec(connection, "INSERT INTO " + qualifiedTable + " (id, " + column + ", note) VALUES (?, ?, 'app')", id, value);
            mine.add(id);
            expected.put(id, value);
          } else if (op < 8) {
            id = mine.get(random.nextInt(mine.size()));
            long value = random.nextInt(1_000_000);
            exec(connection, "UPDATE " + qualifiedTable + " SET " + column + " = ? WHERE id = ?", value, id);
            expected.put(id, value);
          } else if (op < 9) {
            id = mine.get(random.nextInt(mine.size()));
            exec(connection, "UPDATE " + qualifiedTable + " SET note = 'touched' WHERE id = ?", id);
          } else {
            id = mine.get(random.nextInt(mine.size()));
            exec(connection, "DELETE FROM " + qualifiedTable + " WHERE id = ?", id);
            mine.remove(Long.valueOf(id));
            expected.remove(id);
          }
          writes.incrementAndGet();
        } catch (SQLException e) {
          if (SqlFailures.isConnectionFailure(e) || connection.isClosed()) {
            connection.close();
            connection = reconnect();
            settle(connection, column, id, mine);
            continue;
          }
          errors.incrementAndGet();
          sample(e.getMessage());
        }
        Thread.sleep(2);
      }
    } catch (SQLException | InterruptedException e) {
      errors.incrementAndGet();
      sample("writer " + number + " stopped: " + e.getMessage());
    } finally {
      if (connection != null) {
        try {
          connection.close();
        } catch (SQLException ignored) {
          // the server may be gone; nothing to release
        }
      }
    }
  }

  private synchronized void sample(String message) {
    if (errorSamples.size() < 5) {
      errorSamples.add(message);
    }
  }

  /** A new connection once the server answers again; gives up after {@link #RECONNECT_LIMIT_MILLIS}. */
  private Connection reconnect() throws SQLException, InterruptedException {
    long deadline = System.currentTimeMillis() + RECONNECT_LIMIT_MILLIS;
    while (true) {
      try {
        Connection connection = DriverManager.getConnection(url);
        reconnects.incrementAndGet();
        return connection;
      } catch (SQLException e) {
        if (System.currentTimeMillis() > deadline || !running) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  /**
   * The write in flight when the connection died may or may not have committed: the row as it is
   * now is what the application must expect (the column it writes is kept in step by the migration).
   */
  private void settle(Connection connection, String column, long id, List<Long> mine) throws SQLException {
    if (id < 0) {
      return;
    }
    try (PreparedStatement read = connection.prepareStatement(
        "SELECT " + column + " FROM " + qualifiedTable + " WHERE id = ?")) {
      read.setLong(1, id);
      try (ResultSet row = read.executeQuery()) {
        if (row.next()) {
          expected.put(id, row.getLong(1));
          if (!mine.contains(id)) {
            mine.add(id);
          }
        } else {
          expected.remove(id);
          mine.remove(Long.valueOf(id));
        }
      }
    }
  }

  private static void exec(Connection connection, String sql, long... values) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        statement.setLong(i + 1, values[i]);
      }
      statement.executeUpdate();
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    for (Thread worker : workers) {
      worker.join(10_000);
    }
  }
}
