package dev.zdm.engine.expandcontract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.expandcontract.ExpandContractActivities;
import dev.zdm.expandcontract.ExpandContractRequest;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.TableRef;
import dev.zdm.testing.TestDatabase;
import io.temporal.failure.ActivityFailure;
import io.temporal.testing.TestActivityEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Archives of runs from before change zdm-archive-trigger. Table {@code a} column {@code b_c} and
 * table {@code a_b} column {@code c} get the same archive name. An archive can be the only copy of a dropped column: one migration must neither write its
 * values into another's archive nor drop it on rollback (release 0.1 did both).
 */
class ArchiveNameCollisionTest {
  private TestDatabase db;
  private TestActivityEnvironment environment;
  private ExpandContractActivities activities;

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabase.create("archive_collision");
    db.sql("CREATE TABLE a (id bigint PRIMARY KEY, b_c text)",
        "INSERT INTO a SELECT g, 'first ' || g FROM generate_series(1, 50) g",
        "CREATE TABLE a_b (id bigint PRIMARY KEY, c text)",
        "INSERT INTO a_b SELECT g, 'second ' || g FROM generate_series(1, 50) g");
    environment = TestActivityEnvironment.newInstance();
    environment.registerActivitiesImplementations(new ExpandContractActivitiesImpl(db.target()));
    activities = environment.newActivityStub(ExpandContractActivities.class);
  }

  @AfterEach
  void tearDown() {
    environment.close();
    db.close();
  }

  @Test
  void aCollidingArchiveIsNeitherWrittenIntoNorDroppedByTheOtherMigration() throws Exception {
    ExpandContractRequest first = request("drop-a-b_c", "a", "b_c");
    ExpandContractRequest second = request("drop-a_b-c", "a_b", "c");
    assertThat(ColumnArchive.archiveTableOf(first)).isEqualTo(ColumnArchive.archiveTableOf(second));
    String archive = "\"" + db.schema() + "\"." + ColumnArchive.archiveTableOf(first).name();

    activities.archiveColumn(first);
    assertThat(db.count("SELECT count(*) FROM " + archive + " WHERE b_c LIKE 'first %'")).isEqualTo(50);

    assertThatThrownBy(() -> activities.archiveColumn(second))
        .isInstanceOf(ActivityFailure.class)
        .rootCause().hasMessageContaining("is not this migration's");
    activities.dropArchive(second);

    assertThat(db.count("SELECT count(*) FROM " + archive + " WHERE b_c LIKE 'first %'"))
        .as("the first migration's archive is intact").isEqualTo(50);
    activities.dropArchive(first);
    assertThat(db.count("SELECT count(*) FROM pg_tables WHERE schemaname = '" + db.schema()
        + "' AND tablename = '" + ColumnArchive.archiveTableOf(first).name() + "'")).isZero();
  }

  @Test
  void theArchiveOfAColumnNamedArchivedAtKeepsItsOwnTimestampApart() throws Exception {
    db.sql("CREATE TABLE events (id bigint PRIMARY KEY, archived_at timestamptz)",
        "INSERT INTO events SELECT g, timestamptz '2020-01-01' + g * interval '1 day' FROM generate_series(1, 30) g");
    ExpandContractRequest drop = request("drop-archived-at", "events", "archived_at");
    activities.archiveColumn(drop);
    String archive = ColumnArchive.archiveTableOf(drop).name();
    assertThat(db.count("SELECT count(*) FROM " + archive + " a JOIN events e USING (id)"
        + " WHERE a.archived_at = e.archived_at AND a._zdm_archived_at IS NOT NULL")).isEqualTo(30);
  }

  private ExpandContractRequest request(String id, String table, String column) {
    return new ExpandContractRequest(id, new TableRef(db.schema(), table), column, MigrationOptions.defaults());
  }
}
