package dev.zdm.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The application writing as its own role while a migration runs: one thread repeating the given
 * statements ({@code %d} is the round number) in autocommit until closed; every error is kept.
 */
public final class RoleWriter implements AutoCloseable {
  private final String schema;
  private final String role;
  private final List<String> statements;
  private final AtomicLong rounds = new AtomicLong();
  private final List<String> errors = new ArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  public RoleWriter(String schema, String role, String... statements) {
    this.schema = schema;
    this.role = role;
    this.statements = List.of(statements);
    this.thread = new Thread(this::write, "writer-" + role);
  }

  public RoleWriter start() {
    thread.start();
    return this;
  }

  private void write() {
    try (Connection connection = DriverManager.getConnection(TestDatabase.url());
        Statement statement = connection.createStatement()) {
      statement.execute("SET search_path = \"" + schema + "\"");
      statement.execute("SET ROLE " + role);
      while (running) {
        long round = rounds.get() + 1;
        for (String sql : statements) {
          try {
            statement.execute(sql.formatted(round));
          } catch (SQLException e) {
            synchronized (errors) {
              errors.add(sql.formatted(round) + ": " + e.getMessage());
            }
          }
        }
        rounds.incrementAndGet();
        Thread.sleep(5);
      }
    } catch (SQLException | InterruptedException e) {
      synchronized (errors) {
        errors.add("the writer stopped: " + e.getMessage());
      }
    }
  }

  /** Waits until at least {@code more} further rounds are done. */
  public void awaitRounds(long more) throws InterruptedException {
    long target = rounds.get() + more;
    for (int i = 0; i < 6000 && rounds.get() < target && thread.isAlive(); i++) {
      Thread.sleep(10);
    }
  }

  /** Rounds completed so far. */
  public long rounds() {
    return rounds.get();
  }

  public List<String> errors() {
    synchronized (errors) {
      return List.copyOf(errors);
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(30_000);
  }
}
