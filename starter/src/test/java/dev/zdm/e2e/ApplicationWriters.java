package dev.zdm.e2e;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The application during a migration: threads that insert and update users and remember what
 * they wrote, so the test can check afterwards that no write was lost. Before the deployment the
 * old version writes legacy_field; after it the new version never touches that column.
 */
final class ApplicationWriters implements AutoCloseable {
  static final int THREADS = 2;
  static final long PAUSE_MILLIS = 5;

  private final String url;
  private final String table;
  private final Map<Long, String> expectedEmails = new ConcurrentHashMap<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicBoolean newVersionDeployed = new AtomicBoolean();
  private final AtomicInteger writes = new AtomicInteger();
  private final List<Throwable> errors = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();

  ApplicationWriters(String url, String table, long existingRows) {
    this.url = url;
    this.table = table;
    for (long id = 1; id <= existingRows; id++) {
      expectedEmails.put(id, "u" + id + "@example.com");
    }
  }

  void start() {
    for (int i = 0; i < THREADS; i++) {
      int index = i;
      Thread thread = new Thread(() -> write(index), "application-writer-" + i);
      threads.add(thread);
      thread.start();
    }
  }

  void deployNewVersion() {
    newVersionDeployed.set(true);
  }

  /** Each thread updates only its own rows (id % THREADS), so the expected value is exact. */
  private void write(int index) {
    try (Connection connection = DriverManager.getConnection(url)) {
      try (var statement = connection.createStatement()) {
        statement.execute("SET statement_timeout = '5s'");
      }
      while (running.get()) {
        if (ThreadLocalRandom.current().nextBoolean()) {
          insert(connection);
        } else {
          update(connection, index);
        }
        writes.incrementAndGet();
        Thread.sleep(PAUSE_MILLIS);
      }
    } catch (SQLException | InterruptedException | RuntimeException e) {
      synchronized (errors) {
        errors.add(e);
      }
    }
  }

  private void insert(Connection connection) throws SQLException {
    boolean oldVersion = !newVersionDeployed.get();
    String sql = oldVersion
        ? "INSERT INTO " + table + " (email, legacy_field) VALUES (?, ?) RETURNING id"
        : "INSERT INTO " + table + " (email) VALUES (?) RETURNING id";
    String email = "new-" + System.nanoTime() + "@example.com";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, email);
      if (oldVersion) {
        statement.setString(2, "legacy written by the old version");
      }
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        expectedEmails.put(row.getLong(1), email);
      }
    }
  }

  private void update(Connection connection, int index) throws SQLException {
    List<Long> ids = expectedEmails.keySet().stream().filter(id -> id % THREADS == index).toList();
    if (ids.isEmpty()) {
      return;
    }
    long id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
    String email = "changed-" + System.nanoTime() + "@example.com";
    try (PreparedStatement statement = connection.prepareStatement("UPDATE " + table + " SET email = ? WHERE id = ?")) {
      statement.setString(1, email);
      statement.setLong(2, id);
      if (statement.executeUpdate() == 1) {
        expectedEmails.put(id, email);
      }
    }
  }

  /**
   * Rows of {@code table} (schema-qualified) whose email is not the last one the application
   * wrote: writes a migration lost. Call after {@link #close()}.
   */
  long rowsWhoseLastWriteWasLost(Connection connection, String table) throws SQLException {
    long lost = 0;
    try (var statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT id, email FROM " + table)) {
      while (rows.next()) {
        if (!rows.getString(2).equals(expectedEmails.get(rows.getLong(1)))) {
          lost++;
        }
      }
    }
    return lost;
  }

  Map<Long, String> expectedEmails() {
    return expectedEmails;
  }

  int writes() {
    return writes.get();
  }

  List<Throwable> errors() {
    synchronized (errors) {
      return List.copyOf(errors);
    }
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread thread : threads) {
      thread.join();
    }
  }
}
