package dev.zdm.engine.expandcontract;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.catalog.ColumnPublications;
import dev.zdm.catalog.FidelityCheck;
import dev.zdm.catalog.StepChanges;
import dev.zdm.expandcontract.ArchiveResult;
import dev.zdm.expandcontract.Deprecation;
import dev.zdm.expandcontract.ExpandContractActivities;
import dev.zdm.expandcontract.ExpandContractRequest;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.Catalog;
import dev.zdm.postgres.Identifiers;
import dev.zdm.postgres.StatementContext;
import dev.zdm.postgres.TargetDatabase;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expand-contract's database steps. Each looks at the ledger and the catalog before acting, so a
 * retried or re-started step never fails on "already exists" and never does its work twice.
 */
public class ExpandContractActivitiesImpl implements ExpandContractActivities {
  /** Rows per archive batch: big enough to be fast, small enough to keep each commit short. */
  public static final int ARCHIVE_BATCH_ROWS = 10_000;
  /** Catch-up passes before concluding the application still writes the column. */
  public static final int CATCH_UP_PASSES = 3;
  public static final int MISMATCH_SAMPLE = 10;
  /** Archive batches wait at most this long for a lock (they only need ACCESS SHARE). */
  public static final Duration ARCHIVE_STATEMENT_TIMEOUT = Duration.ofMinutes(5);

  private static final Logger log = LoggerFactory.getLogger(ExpandContractActivitiesImpl.class);

  private final TargetDatabase database;
  private final Deprecations deprecations;
  private final FidelityCheck fidelity;

  public ExpandContractActivitiesImpl(TargetDatabase database) {
    this.database = database;
    this.deprecations = new Deprecations(database.ledger());
    this.fidelity = new FidelityCheck(database.ledger());
  }

  @Override
  public Deprecation deprecateColumn(ExpandContractRequest request) {
    return database
        .runner()
        .run(
            context(request, "deprecate " + column(request)),
            connection -> {
              // What the drop will be compared with; a retry keeps the first.
              fidelity.snapshot(connection, request.migrationId(), fidelityStep(request), request.table());
              Optional<Deprecations.Row> existing = deprecations.find(connection, request);
              if (existing.isPresent()) {
                return existing.get().deprecation();
              }
              Catalog catalog = new Catalog(connection);
              if (catalog.columnType(request.table(), request.column()).isEmpty()) {
                throw ApplicationFailure.newNonRetryableFailure(
                    "[" + request.migrationId() + "] column " + column(request) + " does not exist",
                    ZdmFailures.INVALID_MIGRATION);
              }
              List<String> publications =
                  ColumnPublications.naming(connection, request.table(), request.column());
              if (!publications.isEmpty()) {
                // The drop, past the point of no return, would fail on it.
                throw ApplicationFailure.newNonRetryableFailure(
                    "[" + request.migrationId() + "] the column list or row filter of publication "
                        + String.join(", ", publications) + " names " + column(request)
                        + ": PostgreSQL will not drop the column while it does, and zdm does not change"
                        + " publications. Take it out of the publication (ALTER PUBLICATION ... SET TABLE"
                        + " ...) and start again. Nothing was changed.",
                    ZdmFailures.INVALID_MIGRATION);
              }
              String previousComment =
                  catalog.columnComment(request.table(), request.column()).orElse(null);
              Instant removal = Instant.now().plus(request.options().removalAfter());
              String reason =
                  "DEPRECATED by zdm migration " + request.migrationId()
                      + ": will be removed after " + removal;
              setComment(connection, request, reason);
              Deprecation deprecation =
                  deprecations.insert(connection, request, reason, previousComment);
              log.info("[{}] {} deprecated until {}", request.migrationId(), column(request),
                  Instant.ofEpochMilli(deprecation.removalDateEpochMillis()));
              return deprecation;
            });
  }

  @Override
  public void removeDeprecation(ExpandContractRequest request) {
    database
        .runner()
        .run(
            context(request, "remove the deprecation of " + column(request)),
            connection -> {
              Optional<Deprecations.Row> existing = deprecations.find(connection, request);
              if (existing.isEmpty() || existing.get().deprecation().alreadyRemoved()) {
                return null;
              }
              if (new Catalog(connection).columnType(request.table(), request.column()).isPresent()) {
                setComment(connection, request, existing.get().previousComment());
              }
              deprecations.delete(connection, request);
              log.info("[{}] deprecation of {} removed", request.migrationId(), column(request));
              return null;
            });
  }

  @Override
  public TableRef createArchive(ExpandContractRequest request) {
    return createArchiveTable(request).table();
  }

  @Override
  public TableRef createKeptArchive(ExpandContractRequest request) {
    KeptArchive kept = new KeptArchive(request);
    Optional<TableRef> archive = database.runner().run(
        context(request, "create " + kept.objects().table() + " and its trigger"), kept::create);
    if (archive.isEmpty()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "[" + request.migrationId() + "] column " + column(request)
              + " is gone or its table lost its primary key before it could be archived",
          ZdmFailures.INVALID_MIGRATION);
    }
    log.info("[{}] {} is kept current in {} from now on", request.migrationId(), column(request),
        archive.get());
    return archive.get();
  }

  @Override
  public void dropKeptArchive(ExpandContractRequest request) {
    KeptArchive kept = new KeptArchive(request);
    List<String> dropped = database.runner().run(
        context(request, "drop " + kept.objects().table() + " and its trigger"), kept::drop);
    log.info("[{}] archive of {} undone: dropped {}", request.migrationId(), column(request), dropped);
  }

  @Override
  public void dropColumnWithKeptArchive(ExpandContractRequest request) {
    KeptArchive kept = new KeptArchive(request);
    TableRef archiveTable = kept.objects().table();
    boolean dropped = database.runner().run(context(request, "drop " + column(request)), connection -> {
      boolean droppedNow = kept.dropColumn(connection);
      deprecations.markRemoved(connection, request, archiveTable.displayName());
      return droppedNow;
    });
    log.info("[{}] {} {}; data kept in {}", request.migrationId(), column(request),
        dropped ? "dropped" : "was already dropped", archiveTable);
  }

  @Override
  public ArchiveResult archiveColumn(ExpandContractRequest request) {
    TableRef archiveTable = ColumnArchive.archiveTableOf(request);
    ColumnArchive archive = createArchiveTable(request);
    Object resumed = lastHeartbeat();
    // A watched catch-up heartbeats its progress, not a cursor: then every batch was done already.
    boolean batchesDone = resumed instanceof Map<?, ?>;
    List<String> lastKey = cursorOf(resumed);
    long rows = 0;
    while (!batchesDone) {
      List<String> after = lastKey;
      ColumnArchive.Batch batch =
          database.runner().run(
              dataContext(request, "archive a batch of " + column(request)),
              connection -> archive.copyBatch(connection, after, ARCHIVE_BATCH_ROWS));
      if (batch.lastKey() == null) {
        break;
      }
      rows += batch.rows();
      lastKey = batch.lastKey();
      heartbeat(lastKey);
    }
    catchUpAndVerify(request, archive);
    long archived =
        database.runner().run(dataContext(request, "count " + archiveTable), archive::count);
    log.info("[{}] {} rows of {} archived in {} (this attempt copied {})",
        request.migrationId(), archived, column(request), archiveTable, rows);
    return new ArchiveResult(archiveTable.displayName(), archived);
  }

  private ColumnArchive createArchiveTable(ExpandContractRequest request) {
    TableRef archiveTable = ColumnArchive.archiveTableOf(request);
    ColumnArchive archive =
        database.runner().run(context(request, "create " + archiveTable), connection -> {
          ColumnArchive described = ColumnArchive.describe(connection, request);
          if (described != null) {
            described.create(connection);
          }
          return described;
        });
    if (archive == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          "[" + request.migrationId() + "] column " + column(request)
              + " is gone or its table lost its primary key before it could be archived",
          ZdmFailures.INVALID_MIGRATION);
    }
    return archive;
  }

  private void catchUpAndVerify(ExpandContractRequest request, ColumnArchive archive) {
    // Both read the whole table: watched, so they heartbeat and stop with the activity.
    for (int pass = 1; pass <= CATCH_UP_PASSES; pass++) {
      database.runner().runWatched(dataContext(request, "catch up the archive of " + column(request)),
          (connection, watch) -> archive.catchUp(connection));
      List<String> mismatches =
          database.runner().runWatched(dataContext(request, "verify the archive of " + column(request)),
              (connection, watch) -> archive.mismatches(connection, MISMATCH_SAMPLE));
      if (mismatches.isEmpty()) {
        return;
      }
    }
    List<String> sample =
        database.runner().runWatched(dataContext(request, "verify the archive of " + column(request)),
            (connection, watch) -> archive.mismatches(connection, MISMATCH_SAMPLE));
    throw ApplicationFailure.newNonRetryableFailure(
        "[" + request.migrationId() + "] the application still writes " + column(request)
            + ": rows keep changing while it is archived (keys " + sample + "). Deploy the"
            + " version that no longer writes it, then retry.",
        ZdmFailures.VERIFICATION_FAILED);
  }

  @Override
  public void dropArchive(ExpandContractRequest request) {
    TableRef archiveTable = ColumnArchive.archiveTableOf(request);
    database.runner().run(context(request, "drop " + archiveTable), connection -> {
      Optional<String> comment = ColumnArchive.existingComment(connection, archiveTable);
      if (comment.isEmpty()) {
        return null;
      }
      if (!comment.get().startsWith(ColumnArchive.ownerMark(request))) {
        // Another migration's archive under a colliding name: the only copy of its column.
        log.warn("[{}] {} is not this migration's archive ({}); left in place",
            request.migrationId(), archiveTable.displayName(), comment.get());
        return null;
      }
      try (Statement statement = connection.createStatement()) {
        statement.execute("DROP TABLE IF EXISTS " + Identifiers.quote(archiveTable));
      }
      return null;
    });
  }

  @Override
  public String checkFidelity(ExpandContractRequest request) {
    FidelityCheck.Result result = database.runner().run(context(request, "check the fidelity of " + request.table()),
        connection -> fidelity.check(connection, request.migrationId(), fidelityStep(request), request.table(),
            StepChanges.dropColumn(request.column())));
    String summary = result.passedOrThrow(request.migrationId(), request.table(), "the drop of " + column(request),
        "no index, constraint or view on " + request.column() + " appeared or changed since it was deprecated");
    log.info("[{}] fidelity: {}", request.migrationId(), summary);
    return summary;
  }

  /** The snapshot's step key: one drop per column and migration. */
  private static String fidelityStep(ExpandContractRequest request) {
    return "expand-contract " + request.column();
  }

  @Override
  public void dropColumn(ExpandContractRequest request) {
    TableRef archiveTable = ColumnArchive.archiveTableOf(request);
    database.runner().run(context(request, "drop " + column(request)), connection -> {
      ColumnArchive archive = ColumnArchive.describe(connection, request);
      if (archive != null) {
        // Last catch-up right before the drop, in the same transaction: what the archive misses
        // now, the drop would lose.
        archive.catchUp(connection);
        try (Statement statement = connection.createStatement()) {
          statement.execute(
              "ALTER TABLE " + Identifiers.quote(request.table())
                  + " DROP COLUMN IF EXISTS " + Identifiers.quote(request.column()));
        }
      }
      deprecations.markRemoved(connection, request, archiveTable.displayName());
      return null;
    });
    log.info("[{}] {} dropped; data kept in {}", request.migrationId(), column(request), archiveTable);
  }

  private void setComment(Connection connection, ExpandContractRequest request, String comment)
      throws java.sql.SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "COMMENT ON COLUMN " + Identifiers.quote(request.table()) + "."
              + Identifiers.quote(request.column()) + " IS "
              + (comment == null ? "NULL" : Identifiers.literal(comment)));
    }
  }

  /** Schema changes: short, under the migration's statement_timeout. */
  private static StatementContext context(ExpandContractRequest request, String description) {
    return StatementContext.forStep(request.migrationId(), description, request.options());
  }

  /** Archive reads and writes: longer statements, but still never waiting long for a lock. */
  private static StatementContext dataContext(ExpandContractRequest request, String description) {
    return context(request, description).withStatementTimeout(ARCHIVE_STATEMENT_TIMEOUT);
  }

  /** The last attempt's heartbeat: a batch cursor (a list), a catch-up's progress (a map), or null. */
  private static Object lastHeartbeat() {
    ActivityExecutionContext context = activityContext();
    return context == null ? null : context.getHeartbeatDetails(Object.class).orElse(null);
  }

  private static List<String> cursorOf(Object heartbeat) {
    if (!(heartbeat instanceof List<?> values)) {
      return null;
    }
    return values.stream().map(value -> value == null ? null : value.toString()).toList();
  }

  private static void heartbeat(List<String> cursor) {
    ActivityExecutionContext context = activityContext();
    if (context != null) {
      context.heartbeat(cursor);
    }
  }

  private static ActivityExecutionContext activityContext() {
    try {
      return Activity.getExecutionContext();
    } catch (IllegalStateException | NullPointerException notInActivity) {
      return null;
    }
  }

  private static String column(ExpandContractRequest request) {
    return request.table().displayName() + "." + request.column();
  }
}
