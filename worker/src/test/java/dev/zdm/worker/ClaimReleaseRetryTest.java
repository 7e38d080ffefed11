package dev.zdm.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.activities.MigrationActivities;
import dev.zdm.activities.ZdmFailures;
import dev.zdm.engine.migration.MigrationActivitiesImpl;
import dev.zdm.migration.MigrationWorkflow;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationRequest;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.plan.Plan;
import dev.zdm.testing.TestDatabase;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL down when a finished migration releases its table claims, for longer than the five
 * attempts of the prepare steps: the release is retried until it answers, so no claim is left
 * behind to refuse the next migration of the table (decision 0420).
 */
class ClaimReleaseRetryTest {
  /** More than {@code ZdmActivityOptions.PREPARE_MAX_ATTEMPTS}. */
  private static final int OUTAGE_ATTEMPTS = 8;

  private TestDatabase db;
  private WorkflowTestEnvironment temporal;
  private final AtomicInteger failedReleases = new AtomicInteger();

  @BeforeEach
  void setUp() {
    db = TestDatabase.create("claim_release");
    db.execute("""
        CREATE TABLE {schema}.orders (id bigint PRIMARY KEY, customer_id bigint);
        INSERT INTO {schema}.orders SELECT n, n % 10 FROM generate_series(1, 500) n;
        """);
    List<Object> activities = new ArrayList<>();
    for (Object activity : Registrations.activities(db.target(), 1)) {
      activities.add(activity instanceof MigrationActivitiesImpl real ? new ReleaseDuringOutage(real) : activity);
    }
    temporal = new WorkflowTestEnvironment(db, activities);
  }

  @AfterEach
  void tearDown() {
    try {
      temporal.close();
    } finally {
      db.close();
    }
  }

  @Test
  void theReleaseWaitsOutAnOutageInsteadOfLeavingTheClaim() {
    MigrationWorkflow workflow = temporal.start("index-orders",
        "CREATE INDEX orders_customer ON {schema}.orders (customer_id);", null, MigrationOptions.defaults());
    MigrationResult result = WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(failedReleases.get()).isEqualTo(OUTAGE_ATTEMPTS);
    assertThat(db.queryLong("SELECT count(*) FROM {schema}._migration_table_claims")).isZero();
  }

  /** The real activities, with the release failing as it does while PostgreSQL is down. */
  private final class ReleaseDuringOutage implements MigrationActivities {
    private final MigrationActivitiesImpl real;

    ReleaseDuringOutage(MigrationActivitiesImpl real) {
      this.real = real;
    }

    @Override
    public Plan prepare(MigrationRequest request) {
      return real.prepare(request);
    }

    @Override
    public void claimTables(Plan plan) {
      real.claimTables(plan);
    }

    @Override
    public void releaseTables(String migrationId) {
      if (failedReleases.get() < OUTAGE_ATTEMPTS) {
        failedReleases.incrementAndGet();
        throw ApplicationFailure.newFailure("[" + migrationId + "] cannot release its tables: Connection refused"
            + " (SQLSTATE 08001); retrying once it answers", ZdmFailures.CONNECTION_FAILED);
      }
      real.releaseTables(migrationId);
    }
  }
}
