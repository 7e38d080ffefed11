package dev.zdm.engine.droptable;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.droptable.ArchivedTable;
import dev.zdm.droptable.DropTableActivities;
import dev.zdm.droptable.DropTableRequest;
import dev.zdm.droptable.TableDeprecation;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.Catalog;
import dev.zdm.postgres.Identifiers;
import dev.zdm.postgres.StatementContext;
import dev.zdm.postgres.StatementRunner;
import dev.zdm.postgres.TargetDatabase;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dropping a table's database steps. Each looks at the ledger and the catalog before acting, so a
 * retried or re-started step never fails on "already done" and never does its work twice. The
 * moves are renames: they take ACCESS EXCLUSIVE for an instant (under lock_timeout, retried) and
 * copy nothing.
 */
public class DropTableActivitiesImpl implements DropTableActivities {
  private static final Logger log = LoggerFactory.getLogger(DropTableActivitiesImpl.class);

  private final TargetDatabase database;
  private final String archiveSchema;
  private final TableDeprecations deprecations;

  /** With the archive schema beside the ledger ({@link TableArchive#schemaFor}). */
  public DropTableActivitiesImpl(TargetDatabase database) {
    this(database, TableArchive.schemaFor(database.ledger().schema()));
  }

  /** With another archive schema (tests keep theirs apart). */
  public DropTableActivitiesImpl(TargetDatabase database, String archiveSchema) {
    this.database = database;
    this.archiveSchema = archiveSchema;
    this.deprecations = new TableDeprecations(database.ledger());
  }

  @Override
  public TableDeprecation deprecateTable(DropTableRequest request) {
    return database.runner().run(context(request, "deprecate " + table(request)), connection -> {
      Optional<TableDeprecations.Row> existing = deprecations.find(connection, request);
      if (existing.isPresent()) {
        return existing.get().deprecation();
      }
      Optional<DroppableTable> found = DroppableTable.find(connection, request.table());
      if (found.isEmpty()) {
        if (request.ifExists()) {
          log.info("[{}] {} does not exist: DROP TABLE IF EXISTS has nothing to do", request.migrationId(),
              table(request));
          return new TableDeprecation(0, 0, TableDeprecation.State.ABSENT);
        }
        throw invalid(request, table(request) + " does not exist");
      }
      Optional<String> refusal = found.get().refusal(request.table());
      if (refusal.isPresent()) {
        throw invalid(request, refusal.get());
      }
      Instant removal = Instant.now().plus(request.options().removalAfter());
      String reason = "DEPRECATED by zdm migration " + request.migrationId() + ": will be moved aside after "
          + removal + " and dropped after its retention";
      setComment(connection, request.table(), reason);
      TableDeprecation deprecation = deprecations.insert(connection, request, reason, found.get().comment());
      log.info("[{}] {} deprecated until {}", request.migrationId(), table(request),
          Instant.ofEpochMilli(deprecation.removalDateEpochMillis()));
      return deprecation;
    });
  }

  @Override
  public void removeTableDeprecation(DropTableRequest request) {
    database.runner().run(context(request, "remove the deprecation of " + table(request)), connection -> {
      Optional<TableDeprecations.Row> existing = deprecations.find(connection, request);
      if (existing.isEmpty() || existing.get().deprecation().state() == TableDeprecation.State.REMOVED) {
        return null;
      }
      if (existing.get().archiveTable() != null) {
        // The row is what says where the table is: it goes only once the table is back.
        throw invalid(request, table(request) + " is still moved aside as " + existing.get().archiveTable()
            + "; it must be moved back before its deprecation is removed");
      }
      if (new Catalog(connection).tableExists(request.table())) {
        setComment(connection, request.table(), existing.get().previousComment());
      }
      deprecations.delete(connection, request);
      log.info("[{}] deprecation of {} removed", request.migrationId(), table(request));
      return null;
    });
  }

  @Override
  public ArchivedTable moveAside(DropTableRequest request) {
    TableRef archive = archiveOf(request);
    String mark = TableArchive.ownerMark(request.migrationId(), request.table());
    return database.runner().run(context(request, "move " + table(request) + " to " + archive), connection -> {
      Optional<DroppableTable> archived = DroppableTable.find(connection, archive);
      if (archived.isPresent()) {
        if (!mark.equals(archived.get().comment())) {
          throw invalid(request, "the archive name " + archive.displayName() + " is taken by a table that is not"
              + " this migration's (" + archived.get().comment() + "); rename or drop that table, then retry");
        }
        return new ArchivedTable(archive, archived.get().oid(), new Catalog(connection).estimatedRows(archive));
      }
      Optional<DroppableTable> found = DroppableTable.find(connection, request.table());
      if (found.isEmpty()) {
        throw invalid(request, table(request) + " is gone: something else dropped or renamed it while it was"
            + " deprecated; nothing was moved");
      }
      Optional<String> refusal = found.get().refusal(request.table());
      if (refusal.isPresent()) {
        throw invalid(request, refusal.get());
      }
      // Rename first, then move: the archive name is unique in the archive schema, the
      // table's own name may not be. One transaction: it is moved entirely or not at all.
      StatementRunner.executeAll(connection,
          "CREATE SCHEMA IF NOT EXISTS " + Identifiers.quote(archiveSchema),
          "ALTER TABLE " + Identifiers.quote(request.table()) + " RENAME TO " + Identifiers.quote(archive.name()),
          "ALTER TABLE " + Identifiers.quote(new TableRef(request.table().schema(), archive.name()))
              + " SET SCHEMA " + Identifiers.quote(archiveSchema),
          "COMMENT ON TABLE " + Identifiers.quote(archive) + " IS " + Identifiers.literal(mark));
      deprecations.movedTo(connection, request, archive.displayName());
      long rows = new Catalog(connection).estimatedRows(archive);
      log.info("[{}] {} moved aside to {} (about {} rows)", request.migrationId(), table(request), archive, rows);
      return new ArchivedTable(archive, found.get().oid(), rows);
    });
  }

  @Override
  public void moveBack(DropTableRequest request) {
    TableRef archive = archiveOf(request);
    String mark = TableArchive.ownerMark(request.migrationId(), request.table());
    database.runner().run(context(request, "move " + table(request) + " back from " + archive), connection -> {
      Optional<DroppableTable> archived = DroppableTable.find(connection, archive);
      if (archived.isEmpty()) {
        // Never moved, or moved back already.
        return null;
      }
      if (!mark.equals(archived.get().comment())) {
        log.warn("[{}] {} is not the table this migration moved aside ({}); left in place",
            request.migrationId(), archive.displayName(), archived.get().comment());
        return null;
      }
      if (DroppableTable.find(connection, request.table()).isPresent()
          || new Catalog(connection).relationExists(request.table().schema(), archive.name())) {
        throw invalid(request, "cannot move " + archive.displayName() + " back: " + table(request)
            + " (or " + archive.name() + " in " + request.table().schema() + ") exists now. Rename that one,"
            + " then run zdm rollback " + request.migrationId() + " again");
      }
      String reason = deprecations.find(connection, request).map(TableDeprecations.Row::reason).orElse(null);
      StatementRunner.executeAll(connection,
          "ALTER TABLE " + Identifiers.quote(archive) + " SET SCHEMA " + Identifiers.quote(request.table().schema()),
          "ALTER TABLE " + Identifiers.quote(new TableRef(request.table().schema(), archive.name()))
              + " RENAME TO " + Identifiers.quote(request.table().name()));
      setComment(connection, request.table(), reason);
      deprecations.movedTo(connection, request, null);
      log.info("[{}] {} moved back from {}", request.migrationId(), table(request), archive);
      return null;
    });
  }

  @Override
  public String checkArchived(DropTableRequest request, ArchivedTable archived) {
    List<String> differences = database.runner().run(
        context(request, "check " + archived.archive() + " before the drop"),
        connection -> differences(connection, request, archived));
    if (!differences.isEmpty()) {
      throw ApplicationFailure.newNonRetryableFailure("[" + request.migrationId() + "] fidelity check failed"
          + " before the drop of " + table(request) + ":\n  " + String.join("\n  ", differences)
          + "\nNothing was dropped. Drop what depends on it by name (or restore the table zdm moved) and"
          + " run the migration again.", ZdmFailures.FIDELITY_CHECK_FAILED);
    }
    String summary = archived.archive().displayName() + " is the table zdm moved aside (oid " + archived.oid()
        + "); nothing depends on it";
    log.info("[{}] fidelity: {}", request.migrationId(), summary);
    return summary;
  }

  @Override
  public void dropArchived(DropTableRequest request, ArchivedTable archived) {
    database.runner().run(context(request, "drop " + archived.archive()), connection -> {
      Optional<TableDeprecations.Row> row = deprecations.find(connection, request);
      if (row.isPresent() && row.get().deprecation().state() == TableDeprecation.State.REMOVED) {
        return null;
      }
      // Checked again in the drop's own transaction: what is dropped is what was checked.
      List<String> differences = differences(connection, request, archived);
      if (!differences.isEmpty()) {
        throw ApplicationFailure.newNonRetryableFailure("[" + request.migrationId() + "] not dropping "
            + archived.archive() + ": " + String.join("; ", differences), ZdmFailures.FIDELITY_CHECK_FAILED);
      }
      StatementRunner.executeAll(connection, "DROP TABLE " + Identifiers.quote(archived.archive()));
      deprecations.markRemoved(connection, request);
      return null;
    });
    log.info("[{}] {} dropped ({} after its retention)", request.migrationId(), archived.archive(), table(request));
  }

  /** Why the table under the archive name is not the one to drop; empty when it is. */
  private static List<String> differences(Connection connection, DropTableRequest request, ArchivedTable archived)
      throws SQLException {
    List<String> differences = new ArrayList<>();
    Optional<DroppableTable> now = DroppableTable.find(connection, archived.archive());
    if (now.isEmpty()) {
      differences.add("missing table " + archived.archive().displayName());
      return differences;
    }
    if (now.get().oid() != archived.oid()) {
      differences.add(archived.archive().displayName() + " is another table (oid " + now.get().oid()
          + ") than the one zdm moved aside (oid " + archived.oid() + ")");
    }
    String mark = TableArchive.ownerMark(request.migrationId(), request.table());
    if (!mark.equals(now.get().comment())) {
      differences.add(archived.archive().displayName() + " no longer carries zdm's mark '" + mark + "' (comment: "
          + now.get().comment() + ")");
    }
    for (TableDependents.Dependent dependent : TableDependents.of(connection, now.get().oid())) {
      differences.add(dependent.describe() + " depends on it");
    }
    return differences;
  }

  private TableRef archiveOf(DropTableRequest request) {
    return TableArchive.of(archiveSchema, request.table(), request.migrationId());
  }

  private static void setComment(Connection connection, TableRef table, String comment) throws SQLException {
    StatementRunner.executeAll(connection, "COMMENT ON TABLE " + Identifiers.quote(table) + " IS "
        + (comment == null ? "NULL" : Identifiers.literal(comment)));
  }

  private static ApplicationFailure invalid(DropTableRequest request, String why) {
    return ApplicationFailure.newNonRetryableFailure("[" + request.migrationId() + "] " + why,
        ZdmFailures.INVALID_MIGRATION);
  }

  private static StatementContext context(DropTableRequest request, String description) {
    return StatementContext.forStep(request.migrationId(), description, request.options());
  }

  private static String table(DropTableRequest request) {
    return "table " + request.table().displayName();
  }
}
