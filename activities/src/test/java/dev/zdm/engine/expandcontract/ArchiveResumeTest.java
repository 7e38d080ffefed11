package dev.zdm.engine.expandcontract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.expandcontract.ArchiveResult;
import dev.zdm.expandcontract.ExpandContractActivities;
import dev.zdm.expandcontract.ExpandContractRequest;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.StatementProgress;
import dev.zdm.testing.TestDatabase;
import io.temporal.activity.ActivityOptions;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The archive step resumes from what its last attempt heartbeated: a batch cursor, or the
 * progress of a watched catch-up (every batch was done; the catch-up archives what is missing).
 */
class ArchiveResumeTest {
  private TestDatabase db;
  private TestActivityEnvironment env;

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabase.create("archive_resume");
    db.sql("CREATE TABLE users (id bigint PRIMARY KEY, legacy text)",
        "INSERT INTO users SELECT g, 'l' || g FROM generate_series(1, 25000) g");
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(new ExpandContractActivitiesImpl(db.target()));
  }

  @AfterEach
  void tearDown() {
    env.close();
    db.close();
  }

  private ArchiveResult archive() {
    ExpandContractActivities activities = env.newActivityStub(ExpandContractActivities.class,
        ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofMinutes(1)).build());
    return activities.archiveColumn(
        new ExpandContractRequest("m-archive", new TableRef(db.schema(), "users"), "legacy", MigrationOptions.defaults()));
  }

  private long mismatches() throws Exception {
    return db.count("SELECT count(*) FROM users u LEFT JOIN _zdm_archive_users_legacy a USING (id)"
        + " WHERE a.legacy IS DISTINCT FROM u.legacy");
  }

  @Test
  void resumesAfterTheHeartbeatedCursor() throws Exception {
    env.setHeartbeatDetails(List.of("20000"));
    ArchiveResult result = archive();
    assertThat(result.rowsArchived()).as("the catch-up archives the rows before the cursor too").isEqualTo(25_000);
    assertThat(mismatches()).isZero();
  }

  @Test
  void aCatchUpsProgressMeansEveryBatchWasDone() throws Exception {
    env.setHeartbeatDetails(new StatementProgress("m-archive", "catch up the archive of users.legacy", 42,
        "running", null, List.of(), 0, 0, 0, 0, 31_000));
    ArchiveResult result = archive();
    assertThat(result.rowsArchived()).isEqualTo(25_000);
    assertThat(mismatches()).isZero();
  }
}
