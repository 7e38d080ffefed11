package dev.zdm.flagclient;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** FlagClient answers as check_feature_flag does, and reads a flag's row once per cache period. */
class FlagClientTest {
  private TestDatabase db;
  private final AtomicLong clock = new AtomicLong();
  private FlagClient client;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create("flagclient");
    client = new FlagClient(db.dataSource(), db.schema(), Duration.ofSeconds(5), clock::get);
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void answersAsTheSqlFunctionForIntegerAndUuidIds() throws Exception {
    db.execute("INSERT INTO {schema}._migration_feature_flags (flag_name, enabled, rollout_percentage)"
        + " VALUES ('search_v2', true, 30)");
    try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
      try (ResultSet rows = statement.executeQuery("SELECT id, \"" + db.schema()
          + "\".check_feature_flag('search_v2', id) FROM generate_series(1, 2000) AS id")) {
        while (rows.next()) {
          assertThat(client.isEnabled("search_v2", rows.getLong(1))).isEqualTo(rows.getBoolean(2));
        }
      }
      for (int i = 0; i < 200; i++) {
        UUID id = UUID.randomUUID();
        try (ResultSet row = statement.executeQuery("SELECT \"" + db.schema()
            + "\".check_feature_flag('search_v2', '" + id + "'::uuid)")) {
          row.next();
          assertThat(client.isEnabled("search_v2", id)).as(id.toString()).isEqualTo(row.getBoolean(1));
        }
      }
    }
    assertThat(client.isEnabled("no_such_flag", 1)).isFalse();
  }

  @Test
  void aChangeReachesTheClientOnceTheCachePeriodHasPassed() {
    db.execute("INSERT INTO {schema}._migration_feature_flags (flag_name, enabled, rollout_percentage)"
        + " VALUES ('search_v2', false, 100)");
    assertThat(client.isEnabled("search_v2", 7)).isFalse();

    db.execute("UPDATE {schema}._migration_feature_flags SET enabled = true");
    clock.addAndGet(Duration.ofSeconds(4).toNanos());
    assertThat(client.isEnabled("search_v2", 7)).as("still the cached row").isFalse();
    clock.addAndGet(Duration.ofSeconds(2).toNanos());
    assertThat(client.isEnabled("search_v2", 7)).as("read again").isTrue();
  }
}
