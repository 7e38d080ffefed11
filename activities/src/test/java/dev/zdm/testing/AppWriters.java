package dev.zdm.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
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
 * deployment would.
 */
public final class AppWriters implements AutoCloseable {
  private final String qualifiedTable;
  private final int threads;
  private final long firstNewId;
  private final Map<Long, Long> expected = new ConcurrentHashMap<>();
  private final AtomicReference<String> writeColumn;
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final List<String> errorSamples = new ArrayList<>();
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean running = true;

  /**
   * @param existing the rows already in the table: id to value
   * @param firstNewId inserts use ids from here up
   */
  public AppWriters(String qualifiedTable, String writeColumn, Map<Long, Long> existing, long firstNewId, int threads) {
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

  public long errors() {
    return errors.get();
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
    try (Connection connection = DriverManager.getConnection(TestDatabase.url())) {
      while (running) {
        String column = writeColumn.get();
        int op = random.nextInt(10);
        try {
          if (op < 3 || mine.isEmpty()) {
            long id = nextId;
            nextId += threads;
            long value = random.nextInt(1_000_000);
            exec(connection, "INSERT INTO " + qualifiedTable + " (id, " + column + ", note) VALUES (?, ?, 'app')", id, value);
            mine.add(id);
            expected.put(id, value);
          } else if (op < 8) {
            long id = mine.get(random.nextInt(mine.size()));
            long value = random.nextInt(1_000_000);
            exec(connection, "UPDATE " + qualifiedTable + " SET " + column + " = ? WHERE id = ?", value, id);
            expected.put(id, value);
          } else if (op < 9) {
            long id = mine.get(random.nextInt(mine.size()));
            exec(connection, "UPDATE " + qualifiedTable + " SET note = 'touched' WHERE id = ?", id);
          } else {
            long id = mine.remove(random.nextInt(mine.size()));
            exec(connection, "DELETE FROM " + qualifiedTable + " WHERE id = ?", id);
            expected.remove(id);
          }
          writes.incrementAndGet();
        } catch (SQLException e) {
          errors.incrementAndGet();
          synchronized (this) {
            if (errorSamples.size() < 5) {
              errorSamples.add(e.getMessage());
            }
          }
        }
        Thread.sleep(2);
      }
    } catch (SQLException | InterruptedException e) {
      errors.incrementAndGet();
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
