package dev.zdm.engine.backfill;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.backfill.BackfillRequest;
import dev.zdm.backfill.BatchChange;
import dev.zdm.backfill.Verification;
import dev.zdm.engine.activities.CurrentAttempt;
import dev.zdm.engine.activities.Heartbeat;
import dev.zdm.postgres.StatementContext;
import dev.zdm.postgres.TargetDatabase;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the whole table in key order, one short read per batch, and counts the rows that still
 * need the change. Any such row fails the step (not retryable) with the first keys named, so the
 * workflow stops before its irreversible step.
 */
final class Verifier {
  public static final int VERIFY_BATCH_ROWS = 50_000;
  public static final int MISMATCH_SAMPLE = 10;
  static final Duration VERIFY_STATEMENT_TIMEOUT = Duration.ofMinutes(1);

  private static final Logger log = LoggerFactory.getLogger(Verifier.class);

  private final TargetDatabase database;
  private final BackfillRequest request;

  Verifier(TargetDatabase database, BackfillRequest request) {
    this.database = database;
    this.request = request;
  }

  Verification verify() {
    if (request.change() instanceof BatchChange.CompareRows) {
      // Its pass compared every range already; checking it again here would check nothing.
      throw ApplicationFailure.newNonRetryableFailure(
          "[" + request.migrationId() + "] a comparison pass is its own verification",
          ZdmFailures.INVALID_MIGRATION);
    }
    StatementContext context =
        new StatementContext(
            request.migrationId(),
            "verify " + request.table().displayName() + " (" + request.step() + ")",
            true,
            request.lockTimeout(),
            VERIFY_STATEMENT_TIMEOUT,
            CurrentAttempt.number());
    BackfillTable table = database.runner().run(context, c -> BackfillTable.describe(c, request));
    List<String> after = null;
    long rows = 0;
    long bad = 0;
    List<String> badKeys = new ArrayList<>();
    while (true) {
      List<String> from = after;
      BackfillTable.Check check =
          database.runner().run(
              context, c -> table.check(c, from, VERIFY_BATCH_ROWS, MISMATCH_SAMPLE));
      if (check.rows() == 0) {
        break;
      }
      rows += check.rows();
      bad += check.bad();
      for (String key : check.badKeys()) {
        if (badKeys.size() < MISMATCH_SAMPLE) {
          badKeys.add(key);
        }
      }
      after = check.last();
      Heartbeat.beat(rows);
    }
    Verification result = new Verification(rows, bad, badKeys);
    if (bad > 0) {
      throw ApplicationFailure.newNonRetryableFailure(
          "[" + request.migrationId() + "] verification of " + request.table() + " failed: "
              + bad + " of " + rows + " rows do not match the target (first keys: "
              + String.join("; ", badKeys) + "). Nothing irreversible was done.",
          ZdmFailures.VERIFICATION_FAILED,
          result);
    }
    log.info("[{}] verified {}: all {} rows match", request.migrationId(), request.table(), rows);
    return result;
  }
}
