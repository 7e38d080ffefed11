package dev.zdm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zdm.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Through the CLI: a rename whose reads gate is a flag waits for the flag's rollout, which is
 * started, refused bad input, approved at 100 %, and then moves the rename on by itself.
 */
class FeatureFlagEndToEndIT {
  private static E2eStack stack;
  private static TestDatabase db;

  @BeforeAll
  static void start() throws Exception {
    stack = E2eStack.start("e2e_flag");
    db = stack.db;
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void aDualWriteGatedOnAFlagMovesOnWhenTheRolloutReachesOneHundredPercent() throws Exception {
    db.execute("""
        CREATE TABLE {schema}.users (id bigint PRIMARY KEY, name text);
        INSERT INTO {schema}.users SELECT n, 'user ' || n FROM generate_series(1, 500) n;
        """);
    Path migration = Files.createTempDirectory("zdm-e2e-flag").resolve("V9__rename_name.sql");
    Files.writeString(migration, """
        -- @metadata {"readsFlag": "reads_full_name"}
        ALTER TABLE "%s".users RENAME COLUMN name TO full_name;
        """.formatted(db.schema()));

    ZdmProcess.Result started = stack.zdm("start", migration.toString(), "--id", "e2e-dw-flag");
    assertThat(started.exitCode()).as(started.toString()).isZero();
    JsonNode gated = stack.awaitWaitingFor("e2e-dw-flag", "flag");
    assertThat(gated.path("message").asText()).contains("reads_full_name");

    ZdmProcess.Result badSteps = stack.zdm("flag", "start", "reads_full_name", "--steps", "50,25");
    assertThat(badSteps.exitCode()).as(badSteps.toString()).isEqualTo(2);
    ZdmProcess.Result badGuard = stack.zdm("flag", "start", "other_flag", "--steps", "10",
        "--guard", "SELECT 1");
    assertThat(badGuard.exitCode()).as(badGuard.toString()).isEqualTo(2);
    assertThat(badGuard.stderr()).contains("must return a boolean");

    ZdmProcess.Result rollout = stack.zdm("flag", "start", "reads_full_name", "--steps", "50,100",
        "--approve-at", "100", "--guard", "SELECT true");
    assertThat(rollout.exitCode()).as(rollout.toString()).isZero();
    stack.awaitWaitingFor("flag-reads_full_name", "approval");
    assertThat(db.queryString("SELECT enabled || ' ' || rollout_percentage FROM"
        + " {schema}._migration_feature_flags WHERE flag_name = 'reads_full_name'")).isEqualTo("true 50");

    ZdmProcess.Result unknown = stack.zdm("flag", "set", "no_such_flag", "60");
    assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(2);
    assertThat(unknown.stderr()).contains("no_such_flag");
    ZdmProcess.Result down = stack.zdm("flag", "set", "reads_full_name", "40");
    assertThat(down.exitCode()).as(down.toString()).isEqualTo(1);
    assertThat(down.stderr()).contains("--allow-decrease");
    ZdmProcess.Result set = stack.zdm("flag", "set", "reads_full_name", "60", "--reason", "e2e");
    assertThat(set.exitCode()).as(set.toString()).isZero();

    ZdmProcess.Result approved = stack.zdm("approve", "flag-reads_full_name");
    assertThat(approved.exitCode()).as(approved.toString()).isZero();
    stack.awaitState("flag-reads_full_name", "COMPLETED");
    stack.awaitWaitingFor("e2e-dw-flag", "deployment:writes");

    assertThat(db.queryString("SELECT string_agg(to_percentage::text, ',' ORDER BY change_seq)"
        + " FROM {schema}._migration_flag_changes")).isEqualTo("0,50,60,100");
    ZdmProcess.Result rolledBack = stack.zdm("rollback", "e2e-dw-flag");
    assertThat(rolledBack.exitCode()).as(rolledBack.toString()).isZero();
    stack.awaitState("e2e-dw-flag", "COMPLETED");
  }
}
