package dev.zdm.engine.expandcontract;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.expandcontract.ExpandContractRequest;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.Catalog;
import dev.zdm.postgres.Identifiers;
import dev.zdm.postgres.KeyColumn;
import dev.zdm.postgres.StatementRunner;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The archive of a dropped column kept current by a trigger (change {@code zdm-archive-trigger}).
 * The trigger exists before the batch copy starts, so a write the copy has passed is archived by
 * the trigger in the writer's own transaction, and the copy (which reads rows FOR SHARE) never
 * writes a value older than the trigger's. Copy and trigger together keep the archive equal to the
 * column until the drop, whose transaction then holds only the drop and the trigger's removal.
 *
 * <p>Each of the three objects carries its migration's id in its comment; nothing here writes
 * into or drops an object another migration owns.
 */
final class KeptArchive {
  private static final Logger log = LoggerFactory.getLogger(KeptArchive.class);

  private final ExpandContractRequest request;
  private final ArchiveObjects objects;

  KeptArchive(ExpandContractRequest request) {
    this.request = request;
    this.objects = ArchiveNames.of(request.table(), request.column());
  }

  ArchiveObjects objects() {
    return objects;
  }

  /** The comment that marks an object as this migration's. */
  private String ownerMark() {
    return ColumnArchive.ownerMark(request);
  }

  /**
   * Creates (or finds this migration's) archive table, function and trigger, in one transaction;
   * returns the archive table, or empty when the column or the table's primary key is gone.
   */
  Optional<TableRef> create(Connection connection) throws SQLException {
    Catalog catalog = new Catalog(connection);
    Optional<String> type = catalog.columnType(request.table(), request.column());
    List<KeyColumn> key = catalog.primaryKey(request.table());
    if (type.isEmpty() || key.isEmpty()) {
      return Optional.empty();
    }
    refuseForeign("archive table " + objects.table().displayName(), tableComment(connection));
    refuseForeign("function " + objects.function() + "()", functionComment(connection));
    refuseForeign("trigger " + objects.trigger() + " on " + request.table().displayName(),
        trigger(connection).map(Trigger::comment));

    Set<String> taken = new HashSet<>();
    key.forEach(k -> taken.add(k.name()));
    taken.add(request.column());
    String archivedAt = ArchiveNames.archivedAtColumn(taken);
    String keyColumns = key.stream().map(k -> Identifiers.quote(k.name()) + " " + k.type() + ", ")
        .collect(Collectors.joining());
    String keyList = Identifiers.quoteAll(key.stream().map(KeyColumn::name).toList());
    String column = Identifiers.quote(request.column());
    String archive = Identifiers.quote(objects.table());
    String source = Identifiers.quote(request.table());
    String trigger = Identifiers.quote(objects.trigger());
    String purpose = " values of " + request.table().displayName() + "." + request.column();

    StatementRunner.executeAll(connection,
        """
        CREATE TABLE IF NOT EXISTS %s (
          %s%s %s,
          %s timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (%s)
        )
        """.formatted(archive, keyColumns, column, type.get(), Identifiers.quote(archivedAt), keyList),
        "COMMENT ON TABLE " + archive + " IS "
            + Identifiers.literal(ownerMark() + purpose + " before it was dropped"));
    giveToTheTablesOwner(connection);
    StatementRunner.executeAll(connection,
        // SECURITY DEFINER: an application role that may write the table writes the archive as
        // zdm, whatever privileges it has there. Every name in the body is schema-qualified; the
        // search_path keeps anything else out.
        "CREATE OR REPLACE FUNCTION " + objects.function() + "() RETURNS trigger LANGUAGE plpgsql"
            + " SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS "
            + Identifiers.literal(functionBody(key, archivedAt)),
        "COMMENT ON FUNCTION " + objects.function() + "() IS "
            + Identifiers.literal(ownerMark() + " keeps " + objects.table().displayName() + " equal to"
                + purpose));
    if (trigger(connection).isEmpty()) {
      // Not UPDATE OF the column: a BEFORE trigger of the application's may change it in an
      // UPDATE that does not name it. The function returns at once when neither it nor the key
      // changed.
      StatementRunner.executeAll(connection,
          "CREATE TRIGGER %s AFTER INSERT OR UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION %s()"
              .formatted(trigger, source, objects.function()));
    }
    StatementRunner.executeAll(connection,
        // ALWAYS: a session with session_replication_role = replica (a replication tool, a
        // restore) must not write the column behind the archive's back.
        "ALTER TABLE " + source + " ENABLE ALWAYS TRIGGER " + trigger,
        "COMMENT ON TRIGGER " + trigger + " ON " + source + " IS "
            + Identifiers.literal(ownerMark() + " keeps " + objects.table().displayName() + " equal to"
                + purpose));
    return Optional.of(objects.table());
  }

  /**
   * The archive holds the only copy of the owner's column once it is dropped: it belongs to the
   * table's owner, not to zdm's role (a member of it), so the application's owner can read it.
   * Left with zdm's role, logged, when the owner may not hold it (no CREATE on the schema) or zdm's
   * role does not have the owner's privileges (USAGE: an inheriting member), through which its
   * SECURITY DEFINER trigger function goes on writing the archive for every application write.
   */
  private void giveToTheTablesOwner(Connection connection) throws SQLException {
    String owner = null;
    try (PreparedStatement statement = connection.prepareStatement("""
        SELECT pg_get_userbyid(t.relowner), pg_has_role(current_user, t.relowner, 'USAGE')
               AND has_schema_privilege(t.relowner, a.relnamespace, 'CREATE')
        FROM pg_class t, pg_class a
        WHERE t.oid = ?::regclass AND a.oid = ?::regclass AND a.relowner <> t.relowner
        """)) {
      statement.setString(1, Identifiers.quote(request.table()));
      statement.setString(2, Identifiers.quote(objects.table()));
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          return;
        }
        if (!rows.getBoolean(2)) {
          log.warn("[{}] archive {} stays with zdm's role: the table's owner {} may not own it here",
              request.migrationId(), objects.table().displayName(), rows.getString(1));
          return;
        }
        owner = rows.getString(1);
      }
    }
    StatementRunner.executeAll(connection,
        "ALTER TABLE " + Identifiers.quote(objects.table()) + " OWNER TO " + Identifiers.quote(owner));
  }

  /**
   * Upserts the row's key and value. No DELETE: a deleted row's value stays archived as it was
   * (the archive is the only copy once the column is gone, and a restore joins by key, so a key
   * the table no longer has changes nothing). A key change archives under the new key and leaves
   * the old key's value, like a delete.
   */
  private String functionBody(List<KeyColumn> key, String archivedAt) {
    String column = Identifiers.quote(request.column());
    List<String> unchanged = new ArrayList<>();
    // As text: json, xml, point... have no equality operator, and an error here would fail the
    // application's write. Text that differs for equal values only costs an extra upsert.
    unchanged.add("NEW." + column + "::text IS NOT DISTINCT FROM OLD." + column + "::text");
    key.forEach(k -> unchanged.add(
        "NEW." + Identifiers.quote(k.name()) + " IS NOT DISTINCT FROM OLD." + Identifiers.quote(k.name())));
    String keyList = Identifiers.quoteAll(key.stream().map(KeyColumn::name).toList());
    String keyValues = key.stream().map(k -> "NEW." + Identifiers.quote(k.name()))
        .collect(Collectors.joining(", "));
    return """
        BEGIN
          IF TG_OP = 'UPDATE' AND %1$s THEN
            RETURN NULL;
          END IF;
          INSERT INTO %2$s (%3$s, %4$s) VALUES (%5$s, NEW.%4$s)
            ON CONFLICT (%3$s) DO UPDATE SET %4$s = EXCLUDED.%4$s, %6$s = now();
          RETURN NULL;
        END
        """.formatted(String.join(" AND ", unchanged), Identifiers.quote(objects.table()), keyList,
            column, keyValues, Identifiers.quote(archivedAt));
  }

  /**
   * The undo: drops the trigger, the function and the archive table where they exist and are this
   * migration's, in one transaction (the trigger first: without its table it would fail every
   * write). Returns what it dropped.
   */
  List<String> drop(Connection connection) throws SQLException {
    List<String> dropped = new ArrayList<>();
    Optional<Trigger> trigger = trigger(connection);
    if (owned("trigger " + objects.trigger(), trigger.map(Trigger::comment))) {
      StatementRunner.executeAll(connection, "DROP TRIGGER IF EXISTS " + Identifiers.quote(objects.trigger())
          + " ON " + Identifiers.quote(request.table()));
      dropped.add("trigger " + objects.trigger());
    }
    if (owned("function " + objects.function(), functionComment(connection))) {
      StatementRunner.executeAll(connection, "DROP FUNCTION IF EXISTS " + objects.function() + "()");
      dropped.add("function " + objects.function());
    }
    if (owned("archive table " + objects.table().displayName(), tableComment(connection))) {
      StatementRunner.executeAll(connection, "DROP TABLE IF EXISTS " + Identifiers.quote(objects.table()));
      dropped.add("table " + objects.table().displayName());
    }
    return dropped;
  }

  /**
   * The point of no return, in one short transaction: the table locked, then the trigger checked
   * (present, this migration's, enabled ALWAYS: otherwise writes may have bypassed the archive and
   * nothing is dropped), then the column, the trigger and the function dropped. False when the
   * column was already gone (an earlier attempt committed).
   */
  boolean dropColumn(Connection connection) throws SQLException {
    Catalog catalog = new Catalog(connection);
    if (catalog.columnType(request.table(), request.column()).isEmpty()) {
      return false;
    }
    String source = Identifiers.quote(request.table());
    // First the strongest lock, so no write can slip between the check and the drop and no lock
    // upgrade can deadlock with a reader.
    StatementRunner.executeAll(connection, "LOCK TABLE " + source + " IN ACCESS EXCLUSIVE MODE");
    Optional<Trigger> trigger = trigger(connection);
    Optional<String> archiveComment = tableComment(connection);
    String problem = null;
    if (archiveComment.isEmpty() || !archiveComment.get().startsWith(ownerMark())) {
      problem = "its archive table " + objects.table().displayName() + " is missing or not this migration's";
    } else if (trigger.isEmpty() || !trigger.get().comment().startsWith(ownerMark())) {
      problem = "the trigger " + objects.trigger() + " that keeps the archive current is missing or not"
          + " this migration's";
    } else if (!"A".equals(trigger.get().enabled())) {
      problem = "the trigger " + objects.trigger() + " that keeps the archive current is not enabled"
          + " ALWAYS (tgenabled " + trigger.get().enabled() + ")";
    }
    if (problem != null) {
      throw ApplicationFailure.newNonRetryableFailure(
          "[" + request.migrationId() + "] " + request.table().displayName() + "." + request.column()
              + " was not dropped: " + problem + ", so writes since the archive was made may be"
              + " missing from it. Re-create it (ALTER TABLE " + source + " ENABLE ALWAYS TRIGGER "
              + Identifiers.quote(objects.trigger()) + " if it is only disabled), bring "
              + objects.table().displayName() + " up to date from the column, then retry the"
              + " migration (see docs/runbooks.md).",
          ZdmFailures.VERIFICATION_FAILED);
    }
    StatementRunner.executeAll(connection,
        "ALTER TABLE " + source + " DROP COLUMN " + Identifiers.quote(request.column()),
        "DROP TRIGGER " + Identifiers.quote(objects.trigger()) + " ON " + source,
        "DROP FUNCTION " + objects.function() + "()");
    return true;
  }

  private void refuseForeign(String object, Optional<String> comment) {
    if (comment.isPresent() && !comment.get().startsWith(ownerMark())) {
      throw ApplicationFailure.newNonRetryableFailure(
          "[" + request.migrationId() + "] the " + object + " already exists and is not this"
              + " migration's (comment: " + comment.get() + "): it may keep another dropped"
              + " column's data, so zdm will not replace it. Rename or remove it, then start the"
              + " migration again.",
          ZdmFailures.INVALID_MIGRATION);
    }
  }

  /** Whether an existing object is this migration's; another's is left in place with a warning. */
  private boolean owned(String object, Optional<String> comment) {
    if (comment.isEmpty()) {
      return false;
    }
    if (!comment.get().startsWith(ownerMark())) {
      log.warn("[{}] {} is not this migration's ({}); left in place", request.migrationId(), object,
          comment.get());
      return false;
    }
    return true;
  }

  /** A trigger as the catalog has it; {@code comment} is empty text when it has none. */
  private record Trigger(String enabled, String comment) {}

  private Optional<Trigger> trigger(Connection connection) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("""
        SELECT tgenabled::text, coalesce(obj_description(oid, 'pg_trigger'), '')
          FROM pg_trigger WHERE tgrelid = to_regclass(?) AND tgname = ?
        """)) {
      statement.setString(1, Identifiers.quote(request.table()));
      statement.setString(2, objects.trigger());
      try (ResultSet row = statement.executeQuery()) {
        return row.next() ? Optional.of(new Trigger(row.getString(1), row.getString(2))) : Optional.empty();
      }
    }
  }

  private Optional<String> tableComment(Connection connection) throws SQLException {
    return ColumnArchive.existingComment(connection, objects.table());
  }

  /** The comment of the archive's function (no arguments); empty when there is none such. */
  private Optional<String> functionComment(Connection connection) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("""
        SELECT coalesce(obj_description(p.oid, 'pg_proc'), '')
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = ? AND p.proname = ? AND p.pronargs = 0
        """)) {
      statement.setString(1, request.table().schema());
      statement.setString(2, objects.name());
      try (ResultSet row = statement.executeQuery()) {
        return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
      }
    }
  }
}
