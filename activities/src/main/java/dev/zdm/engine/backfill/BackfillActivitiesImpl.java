package dev.zdm.engine.backfill;

import dev.zdm.backfill.BackfillActivities;
import dev.zdm.backfill.BackfillChunk;
import dev.zdm.backfill.BackfillRequest;
import dev.zdm.backfill.BatchControl;
import dev.zdm.backfill.Verification;
import dev.zdm.engine.activities.CurrentAttempt;
import dev.zdm.postgres.StatementContext;
import dev.zdm.postgres.TargetDatabase;
import java.time.Duration;

/** The batched data engine's activities: chunks of batches, verification, live control. */
public class BackfillActivitiesImpl implements BackfillActivities {
  static final Duration LEDGER_STATEMENT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration LEDGER_LOCK_TIMEOUT = Duration.ofSeconds(1);

  private final TargetDatabase database;
  private final BatchListener listener;

  public BackfillActivitiesImpl(TargetDatabase database) {
    this(database, BatchListener.NONE);
  }

  public BackfillActivitiesImpl(TargetDatabase database, BatchListener listener) {
    this.database = database;
    this.listener = listener;
  }

  @Override
  public BackfillChunk runChunk(BackfillRequest request) {
    return new BackfillEngine(database, request, listener).runChunk();
  }

  @Override
  public Verification verify(BackfillRequest request) {
    return new Verifier(database, request).verify();
  }

  @Override
  public void setControl(BatchControl control) {
    ControlRows controls = new ControlRows(database.ledger());
    database.runner().run(ledgerContext(control.migrationId(), "set the batch control"), c -> {
      controls.write(c, control);
      return null;
    });
  }

  @Override
  public void end(String migrationId, String step, String status) {
    ProgressRows progress = new ProgressRows(database.ledger());
    ControlRows controls = new ControlRows(database.ledger());
    database.runner().run(ledgerContext(migrationId, "end the backfill " + step), c -> {
      progress.status(c, migrationId, step, status, null);
      controls.delete(c, migrationId);
      return null;
    });
    database.metrics().passEnded(migrationId, step);
  }

  private static StatementContext ledgerContext(String migrationId, String description) {
    return new StatementContext(
        migrationId, description, true, LEDGER_LOCK_TIMEOUT, LEDGER_STATEMENT_TIMEOUT,
        CurrentAttempt.number());
  }
}
