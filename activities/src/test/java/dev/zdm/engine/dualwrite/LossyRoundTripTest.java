package dev.zdm.engine.dualwrite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.dualwrite.DualWriteActivities;
import dev.zdm.dualwrite.DualWriteKind;
import dev.zdm.dualwrite.DualWritePlan;
import dev.zdm.dualwrite.DualWriteRequest;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.TableRef;
import dev.zdm.testing.TestDatabase;
import io.temporal.testing.TestActivityEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A type change whose way back loses information (text to varchar(10) truncates): what the new
 * application writes through the new column must survive an unrelated update of the row, the
 * backfill and the verification. Release 0.1's trigger replaced it with its truncated round trip
 * as soon as any other column of the row changed.
 */
class LossyRoundTripTest {
  private static final String LONG_BIO = "a biography of thirty chars ok";

  private TestDatabase db;
  private TestActivityEnvironment activities;
  private DualWriteActivities dualWrite;

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabase.create("lossy");
    db.sql("CREATE TABLE authors (id bigint PRIMARY KEY, bio varchar(10), visits integer NOT NULL DEFAULT 0)",
        "INSERT INTO authors (id, bio) SELECT g, 'bio ' || g FROM generate_series(1, 100) g");
    activities = TestActivityEnvironment.newInstance();
    activities.registerActivitiesImplementations(new DualWriteActivitiesImpl(db.target()));
    dualWrite = activities.newActivityStub(DualWriteActivities.class);
  }

  @AfterEach
  void tearDown() {
    activities.close();
    db.close();
  }

  @Test
  void whatTheNewApplicationWroteSurvivesAnUnrelatedUpdateTheBackfillAndTheVerification() throws Exception {
    DualWritePlan plan = dualWrite.plan(new DualWriteRequest("lossy", DualWriteKind.CHANGE_TYPE,
        new TableRef(db.schema(), "authors"), "bio", null, "text", null, null, null, null,
        MigrationOptions.defaults(), null));
    dualWrite.addColumn(plan);
    dualWrite.installTrigger(plan);

    db.sql("UPDATE authors SET bio_zdm_new = '" + LONG_BIO + "' WHERE id = 1");
    assertThat(db.value("SELECT bio FROM authors WHERE id = 1"))
        .as("the old application sees the inverse").isEqualTo("a biograph");

    db.sql("UPDATE authors SET visits = visits + 1 WHERE id = 1");
    assertThat(db.value("SELECT bio_zdm_new FROM authors WHERE id = 1")).isEqualTo(LONG_BIO);

    db.sql("UPDATE authors SET visits = visits + 1 WHERE id = 2");
    assertThat(db.value("SELECT bio_zdm_new FROM authors WHERE id = 2"))
        .as("an unrelated update still fills a row the backfill has not reached").isEqualTo("bio 2");

    db.sql("UPDATE authors SET bio = 'new 3' WHERE id = 3");
    assertThat(db.value("SELECT bio_zdm_new FROM authors WHERE id = 3"))
        .as("the old application's write reaches the new column").isEqualTo("new 3");

    String pending = plan.backfill().pending();
    assertThat(db.count("SELECT count(*) FROM authors WHERE " + pending)).isEqualTo(97);
    db.sql("UPDATE authors SET " + plan.backfill().set() + " WHERE " + pending);
    assertThat(db.count("SELECT count(*) FROM authors WHERE " + pending))
        .as("the verification's condition holds for no row").isZero();
    assertThat(db.value("SELECT bio_zdm_new FROM authors WHERE id = 1")).isEqualTo(LONG_BIO);
  }
}
