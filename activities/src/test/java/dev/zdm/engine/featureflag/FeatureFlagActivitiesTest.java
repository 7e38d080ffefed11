package dev.zdm.engine.featureflag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.featureflag.FlagBeginning;
import dev.zdm.featureflag.FlagChange;
import dev.zdm.featureflag.FlagStart;
import dev.zdm.featureflag.FlagState;
import dev.zdm.featureflag.GuardCheck;
import dev.zdm.featureflag.GuardResult;
import dev.zdm.testing.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The flag rollout's activities on PostgreSQL: keyed history rows, read-only guards, guard checks. */
class FeatureFlagActivitiesTest {
  private static final String WORKFLOW = "zdm-rollout-1-feature-flag";

  private TestDatabase db;
  private FeatureFlagActivitiesImpl activities;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create("flags");
    activities = new FeatureFlagActivitiesImpl(db.target());
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  private long historyRows() {
    return db.queryLong("SELECT count(*) FROM {schema}._migration_flag_changes");
  }

  private FlagChange change(int sequence, boolean enabled, int percentage) {
    return new FlagChange("rollout", WORKFLOW, sequence, "search_v2", enabled, percentage, "alice",
        "step " + percentage);
  }

  @Test
  void aMissingFlagIsCreatedDisabledAndARetriedBeginStillKnowsItWasAbsent() {
    FlagStart start = new FlagStart("rollout", WORKFLOW, "search_v2", "alice");

    FlagBeginning first = activities.begin(start);
    FlagBeginning retried = activities.begin(start);

    assertThat(first.before()).isEqualTo(new FlagState(false, false, 0));
    assertThat(first.now()).isEqualTo(new FlagState(true, false, 0));
    assertThat(retried).isEqualTo(first);
    assertThat(historyRows()).isEqualTo(1);
    assertThat(db.queryString("SELECT migration_id FROM {schema}._migration_feature_flags"
        + " WHERE flag_name = 'search_v2'")).isEqualTo("rollout");
  }

  @Test
  void anExistingFlagIsRememberedAsItWas() {
    db.execute("INSERT INTO {schema}._migration_feature_flags (flag_name, enabled, rollout_percentage)"
        + " VALUES ('search_v2', true, 20)");

    FlagBeginning beginning = activities.begin(new FlagStart("rollout", WORKFLOW, "search_v2", "alice"));

    assertThat(beginning.before()).isEqualTo(new FlagState(true, true, 20));
    assertThat(db.queryString("SELECT from_enabled || ' ' || from_percentage FROM"
        + " {schema}._migration_flag_changes WHERE change_seq = 0")).isEqualTo("true 20");
  }

  @Test
  void aRetriedChangeWritesOneHistoryRowAndDoesNotUndoALaterHandChange() {
    activities.begin(new FlagStart("rollout", WORKFLOW, "search_v2", "alice"));

    assertThat(activities.change(change(1, true, 25))).isEqualTo(new FlagState(true, true, 25));
    db.execute("UPDATE {schema}._migration_feature_flags SET rollout_percentage = 30");
    FlagState retried = activities.change(change(1, true, 25));

    assertThat(historyRows()).isEqualTo(2);
    assertThat(retried.percentage()).as("the retry changed nothing").isEqualTo(30);
    assertThat(db.queryString("SELECT from_enabled || ' ' || from_percentage || ' -> ' || to_enabled"
        + " || ' ' || to_percentage || ' by ' || changed_by || ': ' || reason"
        + " FROM {schema}._migration_flag_changes WHERE change_seq = 1"))
        .isEqualTo("false 0 -> true 25 by alice: step 25");
  }

  @Test
  void guardsAnswerTrueOrFalseAndAGuardThatWritesIsRefusedByTheReadOnlyTransaction() {
    db.execute("CREATE TABLE {schema}.app_errors (at timestamptz NOT NULL DEFAULT now())");
    db.execute("""
        CREATE FUNCTION {schema}.note_error() RETURNS boolean LANGUAGE sql AS
        $$ INSERT INTO {schema}.app_errors DEFAULT VALUES RETURNING true $$
        """);
    String errors = "SELECT count(*) < 1 FROM " + db.schema() + ".app_errors";

    assertThat(run(errors)).isEqualTo(GuardResult.of(true));
    GuardResult writing = run("SELECT " + db.schema() + ".note_error()");
    assertThat(writing.failed()).isTrue();
    assertThat(writing.error()).contains("read-only transaction");
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.app_errors")).isZero();
    db.execute("INSERT INTO {schema}.app_errors DEFAULT VALUES");
    assertThat(run(errors)).isEqualTo(GuardResult.of(false));
  }

  @Test
  void aGuardThatRunsTooLongIsCutOffAndCountsAsAFailure() {
    GuardResult slow = activities.checkGuard(new GuardCheck("rollout", "search_v2",
        "SELECT pg_sleep(5) IS NOT NULL", Duration.ofMillis(100)));

    assertThat(slow.failed()).isTrue();
    assertThat(slow.error()).contains("statement timeout");
  }

  @Test
  void onlyASingleSelectOfOneBooleanColumnPassesTheCheckAtStart() throws Exception {
    db.execute("CREATE TABLE {schema}.app_errors (at timestamptz NOT NULL DEFAULT now())");
    GuardValidator validator = new GuardValidator();
    try (Connection connection = db.connection()) {
      validator.validate(connection, List.of(
          "SELECT count(*) < 10 FROM " + db.schema() + ".app_errors WHERE at > now() - interval '5 minutes'"));
      for (String bad : List.of(
          "DELETE FROM " + db.schema() + ".app_errors",
          "SELECT true; SELECT true",
          "SELECT count(*) FROM " + db.schema() + ".app_errors",
          "SELECT true, false",
          "SELECT true FROM no_such_table",
          "SELEC true")) {
        assertThatThrownBy(() -> validator.validate(connection, List.of(bad)))
            .as(bad)
            .isInstanceOf(ZdmException.class)
            .satisfies(e -> assertThat(((ZdmException) e).code()).isEqualTo(ErrorCode.BAD_INPUT))
            .hasMessageContaining(bad.length() > 20 ? bad.substring(0, 20) : bad);
      }
    }
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.app_errors"))
        .as("checking a guard runs nothing").isZero();
  }

  private GuardResult run(String sql) {
    return activities.checkGuard(new GuardCheck("rollout", "search_v2", sql, null));
  }
}
