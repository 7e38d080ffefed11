package dev.zdm.flagclient;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Over 100,000 ids: the Java bucket equals the SQL one for every id, an id in at 10 % stays in at
 * 50 %, and each percentage admits within one point of its share.
 */
class FlagBucketsTest {
  private static final int IDS = 100_000;
  private TestDatabase db;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create("buckets");
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void javaAndSqlPutEveryIdInTheSameBucket() throws Exception {
    int[] buckets = new int[IDS + 1];
    int compared = 0;
    try (Connection connection = db.connection(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("""
            SELECT id, ((hashtextextended('search_v2:' || id, 0) % 100) + 100) % 100
              FROM generate_series(1, {ids}) AS id
            """.replace("{ids}", Integer.toString(IDS)))) {
      while (rows.next()) {
        int id = rows.getInt(1);
        assertThat(FlagBuckets.bucket("search_v2", Integer.toString(id))).as("id %d", id)
            .isEqualTo(rows.getInt(2));
        buckets[id] = rows.getInt(2);
        compared++;
      }
    }
    assertThat(compared).isEqualTo(IDS);
    for (int percentage : new int[] {1, 5, 10, 25, 50, 75, 99}) {
      long admitted = 0;
      for (int id = 1; id <= IDS; id++) {
        if (buckets[id] < percentage) {
          admitted++;
        }
      }
      assertThat(admitted * 100.0 / IDS).as("share admitted at %d %%", percentage)
          .isBetween(percentage - 1.0, percentage + 1.0);
    }
  }

  @Test
  void theSqlFunctionAgreesWithJavaForTextAndUuidIdsAndBucketsAreStable() throws Exception {
    db.execute("INSERT INTO {schema}._migration_feature_flags (flag_name, enabled, rollout_percentage)"
        + " VALUES ('search_v2', true, 10)");
    String schema = db.schema();
    try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
      for (String id : new String[] {"user-42", "ünïcødé", "a", "", "0123456789abcdef-long-id-x",
          "4b3f8a52-5e0c-4b8e-9a9d-2f1f0c1d2e3f"}) {
        try (ResultSet row = statement.executeQuery("SELECT \"" + schema
            + "\".check_feature_flag('search_v2', '" + id + "'::text)")) {
          row.next();
          assertThat(row.getBoolean(1)).as(id).isEqualTo(FlagBuckets.bucket("search_v2", id) < 10);
        }
      }
    }
    int inAtTen = 0;
    for (int id = 1; id <= IDS; id++) {
      int bucket = FlagBuckets.bucket("search_v2", Integer.toString(id));
      if (bucket < 10) {
        inAtTen++;
        assertThat(bucket).as("in at 10 %% stays in at 50 %%").isLessThan(50);
      }
    }
    assertThat(inAtTen).isPositive();
  }
}
