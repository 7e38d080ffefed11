package dev.zdm.engine.bluegreen;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.bluegreen.BlueGreenActivities;
import dev.zdm.bluegreen.BlueGreenRequest;
import dev.zdm.catalog.FidelityCheck;
import dev.zdm.catalog.StepChanges;
import dev.zdm.catalog.TableDescriber;
import dev.zdm.catalog.TableDescription;
import dev.zdm.engine.activities.Heartbeat;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.Catalog;
import dev.zdm.postgres.Identifiers;
import dev.zdm.postgres.KeyColumn;
import dev.zdm.postgres.KeysetCursor;
import dev.zdm.postgres.StatementContext;
import dev.zdm.postgres.StatementRunner;
import dev.zdm.postgres.TargetDatabase;
import io.temporal.failure.ApplicationFailure;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blue-green's database steps. Names: the green copy is {@code <table>_zdm_green}, the old table
 * after the switch {@code <table>_zdm_old}; the forward sync trigger (table -> green) and the
 * reverse one (new table -> old) carry generated names. Whether the switch happened is read from
 * the catalog (the reverse trigger exists only after it), so every step can run again.
 */
public class BlueGreenActivitiesImpl implements BlueGreenActivities {
  public static final String GREEN_SUFFIX = "_zdm_green";
  public static final String OLD_SUFFIX = "_zdm_old";
  public static final int COPY_BATCH = 1_000;
  public static final int VERIFY_BATCH = 10_000;
  /** A copy or verify batch reads at most a few thousand rows; a full-table check is never one statement. */
  public static final Duration DATA_STATEMENT_TIMEOUT = Duration.ofMinutes(5);

  private static final Logger log = LoggerFactory.getLogger(BlueGreenActivitiesImpl.class);

  /** The snapshot's step key: the rebuild of this table with these changes (String.hashCode is stable). */
  static String fidelityStep(BlueGreenRequest request) {
    return "blue-green " + Integer.toHexString(String.join("\n", request.greenChanges()).hashCode());
  }

  /** The snapshot's step key for the table as the switch left it. */
  static String switchedStep(BlueGreenRequest request) {
    return fidelityStep(request) + " switched";
  }

  private final TargetDatabase database;
  private final FidelityCheck fidelity;

  public BlueGreenActivitiesImpl(TargetDatabase database) {
    this.database = database;
    this.fidelity = new FidelityCheck(database.ledger());
  }

  /** The copy's resumable position: the last key copied and the key the copy ends at. */
  public record CopyCursor(List<String> lastKey, List<String> endKey, long rows) {}

  // Names.

  static TableRef green(TableRef table) {
    return new TableRef(table.schema(), Identifiers.generatedName("", table.name(), "zdm_green"));
  }

  static TableRef old(TableRef table) {
    return new TableRef(table.schema(), Identifiers.generatedName("", table.name(), "zdm_old"));
  }

  static String forwardName(TableRef table) {
    return Identifiers.generatedName("_zdm_bg_", table.name(), "fwd");
  }

  static String reverseName(TableRef table) {
    return Identifiers.generatedName("_zdm_bg_", table.name(), "rev");
  }

  private static String function(TableRef table, String name) {
    return Identifiers.quote(new TableRef(table.schema(), name));
  }

  private static String ownerComment(BlueGreenRequest request) {
    return "zdm migration " + request.migrationId() + ": green copy of " + request.table().displayName();
  }

  // Steps.

  @Override
  public void check(BlueGreenRequest request) {
    TableRef table = request.table();
    try {
      GreenChanges.rewrite(table, green(table), request.greenChanges());
    } catch (IllegalArgumentException invalid) {
      throw refusal(request, invalid.getMessage());
    }
    database.runner().run(context(request, "check " + table), connection -> {
      Catalog catalog = new Catalog(connection);
      if (!catalog.tableExists(table)) {
        if (catalog.tableExists(old(table))) {
          throw refusal(request, table + " does not exist but " + old(table) + " does: an earlier"
              + " switch was interrupted; rename it back by hand before running again");
        }
        throw refusal(request, "table " + table + " does not exist");
      }
      requireEveryRowVisible(connection, request);
      if (catalog.primaryKey(table).isEmpty()) {
        throw refusal(request, "table " + table + " has no primary key: blue-green syncs and copies"
            + " rows by primary key and cannot rebuild a table without one");
      }
      String kind = text(connection, "SELECT relkind::text FROM pg_class WHERE oid = to_regclass(?)",
          Identifiers.quote(table));
      if (!"r".equals(kind)) {
        throw refusal(request, table + " is not a plain table (relkind " + kind + "): partitioned"
            + " tables are not rebuilt by blue-green");
      }
      List<String> referencing = column(connection,
          "SELECT conrelid::regclass::text || '.' || conname FROM pg_constraint"
              + " WHERE contype = 'f' AND confrelid = to_regclass(?) AND conrelid <> confrelid",
          Identifiers.quote(table));
      if (!referencing.isEmpty()) {
        throw refusal(request, "foreign keys reference " + table + " (" + String.join(", ", referencing)
            + "): after the switch they would still point at the old table");
      }
      if (!column(connection, "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = to_regclass(?)"
          + " AND confrelid = conrelid", Identifiers.quote(table)).isEmpty()) {
        throw refusal(request, table + " has a foreign key to itself: on the green copy it would still"
            + " reference the old table");
      }
      List<String> views = column(connection,
          "SELECT DISTINCT r.ev_class::regclass::text FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid"
              + " WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = to_regclass(?)"
              + " AND r.ev_class <> d.refobjid",
          Identifiers.quote(table));
      if (!views.isEmpty()) {
        throw refusal(request, "views depend on " + table + " (" + String.join(", ", views)
            + "): after the switch they would still read the old table");
      }
      List<String> triggers = column(connection,
          "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(?) AND NOT tgisinternal"
              + " AND tgname NOT IN (?, ?)",
          Identifiers.quote(table), forwardName(table), reverseName(table));
      if (!triggers.isEmpty()) {
        throw refusal(request, table + " has triggers (" + String.join(", ", triggers)
            + ") that the green copy would not have");
      }
      if (catalog.tableExists(green(table)) && !ownsGreen(connection, request)) {
        throw refusal(request, green(table) + " already exists and was not created by this migration");
      }
      List<String> cannotCarry = GreenCarryOver.refusals(connection, describe(connection, request, table));
      if (!cannotCarry.isEmpty()) {
        throw refusal(request, String.join("; ", cannotCarry));
      }
      // What the switch will be compared with; a retry keeps the first.
      fidelity.snapshot(connection, request.migrationId(), fidelityStep(request), table);
      return null;
    });
  }

  /**
   * Row-level security that applies to zdm's role would hide rows from the copy and make the sync
   * trigger's writes fail inside the application's transactions: refused before the trigger
   * exists. The runner's row_security = off makes PostgreSQL raise it for this probe of no rows.
   */
  private static void requireEveryRowVisible(Connection connection, BlueGreenRequest request) {
    try (Statement probe = connection.createStatement()) {
      probe.execute("SELECT FROM " + Identifiers.quote(request.table()) + " LIMIT 0");
    } catch (SQLException hidden) {
      throw refusal(request, "row-level security on " + request.table() + " applies to zdm's role ("
          + hidden.getMessage() + "): run zdm as the table's owner on a table without FORCE ROW LEVEL"
          + " SECURITY, or as a role with BYPASSRLS");
    }
  }

  @Override
  public void createGreen(BlueGreenRequest request) {
    TableRef table = request.table();
    TableRef green = green(table);
    List<String> changes = GreenChanges.rewrite(table, green, request.greenChanges());
    database.runner().run(context(request, "create " + green), connection -> {
      Catalog catalog = new Catalog(connection);
      if (catalog.tableExists(green)) {
        if (!ownsGreen(connection, request)) {
          throw refusal(request, green + " appeared meanwhile and is not zdm's");
        }
        return null; // created, changed and commented in one transaction: nothing left to do
      }
      TableDescription description = describe(connection, request, table);
      StatementRunner.executeAll(connection, "CREATE TABLE %s (LIKE %s INCLUDING ALL)".formatted(
          Identifiers.quote(green), Identifiers.quote(table)));
      GreenCarryOver.atCreate(connection, description, green);
      copyForeignKeys(connection, description, green);
      for (String change : changes) {
        StatementRunner.executeAll(connection, change);
      }
      StatementRunner.executeAll(connection, "COMMENT ON TABLE %s IS %s".formatted(
          Identifiers.quote(green), Identifiers.literal(ownerComment(request))));
      log.info("[{}] created {} with {} change(s)", request.migrationId(), green, changes.size());
      return null;
    });
  }

  @Override
  public void installSync(BlueGreenRequest request) {
    TableRef table = request.table();
    database.runner().run(context(request, "install the sync trigger on " + table), connection -> {
      installTrigger(connection, table, green(table), forwardName(table));
      log.info("[{}] sync trigger {} -> {}", request.migrationId(), table, green(table));
      return null;
    });
  }

  @Override
  public TableRef greenTable(BlueGreenRequest request) {
    return green(request.table());
  }

  @Override
  public long copyRows(BlueGreenRequest request) {
    TableRef table = request.table();
    TableRef green = green(table);
    CopyCursor cursor = Heartbeat.lastDetails(CopyCursor.class).orElse(null);
    KeysetCursor keys = keys(request);
    if (cursor == null) {
      // Read after the trigger is in place: any row beyond this key reached green through it.
      List<String> end = database.runner().run(context(request, "find the end of " + table), connection ->
          lastKey(connection, "SELECT %s FROM %s ORDER BY %s LIMIT 1".formatted(
              keys.keyAsText(null), Identifiers.quote(table), keys.orderByDescending(null))));
      cursor = new CopyCursor(null, end, 0);
    }
    if (cursor.endKey() == null) {
      return 0;
    }
    List<String> columns = database.runner().run(context(request, "read columns"),
        connection -> commonColumns(connection, table, green));
    String list = Identifiers.quoteAll(columns);
    String after = "WHERE " + keys.after("b") + " AND ";
    // FOR KEY SHARE: a row deleted (or re-keyed) while the batch reads it is either seen gone or
    // waits for this batch to commit, so the copy never resurrects a row the trigger removed.
    String sqlTemplate =
        """
        WITH batch AS (
          SELECT %1$s FROM %2$s b %3$s %4$s ORDER BY %5$s LIMIT %6$d FOR KEY SHARE),
        copied AS (
          INSERT INTO %7$s (%1$s) OVERRIDING SYSTEM VALUE SELECT %1$s FROM batch ON CONFLICT DO NOTHING)
        SELECT (SELECT count(*) FROM batch), (SELECT %8$s FROM batch ORDER BY %9$s LIMIT 1)
        """;
    String first = sqlTemplate.formatted(list, Identifiers.quote(table), "WHERE", keys.atOrBefore("b"),
        keys.orderBy("b"), COPY_BATCH, Identifiers.quote(green), keys.keyAsText(null), keys.orderByDescending(null));
    String next = sqlTemplate.formatted(list, Identifiers.quote(table), after, keys.atOrBefore("b"),
        keys.orderBy("b"), COPY_BATCH, Identifiers.quote(green), keys.keyAsText(null), keys.orderByDescending(null));
    // columns in "batch" have no alias: the key text expression uses bare names.
    while (true) {
      CopyCursor at = cursor;
      CopyCursor moved = database.runner().run(dataContext(request, "copy a batch of " + table), connection -> {
        try (PreparedStatement statement = connection.prepareStatement(at.lastKey() == null ? first : next)) {
          int index = 1;
          if (at.lastKey() != null) {
            index = keys.bindAfter(statement, index, at.lastKey());
          }
          keys.bindAfter(statement, index, at.endKey());
          try (ResultSet row = statement.executeQuery()) {
            row.next();
            long count = row.getLong(1);
            List<String> last = textArray(row.getArray(2));
            return count == 0 ? null : new CopyCursor(last, at.endKey(), at.rows() + count);
          }
        }
      });
      if (moved == null) {
        break;
      }
      cursor = moved;
      Heartbeat.beat(cursor);
    }
    log.info("[{}] copied {} rows of {} to {}", request.migrationId(), cursor.rows(), table, green);
    return cursor.rows();
  }

  @Override
  public long verify(BlueGreenRequest request) {
    TableRef table = request.table();
    TableRef green = green(table);
    KeysetCursor keys = keys(request);
    List<String> columns = database.runner().run(context(request, "read columns"),
        connection -> comparableColumns(connection, table, green));
    String row = "hashtext(ROW(" + columns.stream().map(c -> "t." + Identifiers.quote(c))
        .collect(Collectors.joining(", ")) + ")::text)::bigint";
    long compared = 0;
    List<String> from = null;
    while (true) {
      List<String> start = from;
      // The range ends at the key VERIFY_BATCH rows on, or is open when fewer remain.
      List<String> to = database.runner().run(dataContext(request, "find a verify range"), connection -> {
        String sql = "SELECT %s FROM %s b %s ORDER BY %s OFFSET %d LIMIT 1".formatted(
            keys.keyAsText("b"), Identifiers.quote(table), start == null ? "" : "WHERE " + keys.after("b"),
            keys.orderBy("b"), VERIFY_BATCH - 1);
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
          if (start != null) {
            keys.bindAfter(statement, 1, start);
          }
          try (ResultSet rs = statement.executeQuery()) {
            return rs.next() ? textArray(rs.getArray(1)) : null;
          }
        }
      });
      String range = Arrays.asList(start == null ? null : keys.after("t"), to == null ? null : keys.atOrBefore("t"))
          .stream().filter(s -> s != null).collect(Collectors.joining(" AND "));
      String where = range.isEmpty() ? "" : "WHERE " + range;
      // One statement, one snapshot: the trigger writes both tables in the writer's transaction.
      String sql = "SELECT (SELECT count(*) FROM %1$s t %3$s), (SELECT coalesce(sum(%4$s), 0) FROM %1$s t %3$s),"
          + " (SELECT count(*) FROM %2$s t %3$s), (SELECT coalesce(sum(%4$s), 0) FROM %2$s t %3$s)";
      String compare = sql.formatted(Identifiers.quote(table), Identifiers.quote(green), where, row);
      long[] result = database.runner().run(dataContext(request, "verify a key range of " + table), connection -> {
        try (PreparedStatement statement = connection.prepareStatement(compare)) {
          int index = 1;
          for (int side = 0; side < 4; side++) {
            if (start != null) {
              index = keys.bindAfter(statement, index, start);
            }
            if (to != null) {
              index = keys.bindAfter(statement, index, to);
            }
          }
          try (ResultSet rs = statement.executeQuery()) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getBigDecimal(2).longValue(), rs.getLong(3),
                rs.getBigDecimal(4).longValue()};
          }
        }
      });
      if (result[0] != result[2] || result[1] != result[3]) {
        throw ApplicationFailure.newNonRetryableFailure("[" + request.migrationId() + "] " + table + " and "
            + green + " differ in the key range after " + start + " up to " + (to == null ? "the end" : to)
            + ": " + result[0] + " vs " + result[2] + " rows, checksum " + result[1] + " vs " + result[3],
            ZdmFailures.VERIFICATION_FAILED);
      }
      compared += result[0];
      Heartbeat.beat(compared);
      if (to == null) {
        break;
      }
      from = to;
    }
    log.info("[{}] verified {} rows of {} against {}", request.migrationId(), compared, table, green);
    return compared;
  }

  @Override
  public String checkFidelity(BlueGreenRequest request) {
    TableRef table = request.table();
    String trigger = "trigger " + forwardName(table);
    FidelityCheck.Result result = database.runner().run(context(request, "check the fidelity of " + table),
        connection -> fidelity.check(connection, request.migrationId(), fidelityStep(request), table,
            StepChanges.objects(trigger::equals)));
    String summary = result.passedOrThrow(request.migrationId(), table, "the switch of " + table + " to its green copy",
        table + " unchanged since the migration checked it, apart from the sync trigger");
    log.info("[{}] fidelity: {}", request.migrationId(), summary);
    return summary;
  }

  @Override
  public String checkFidelityBeforeDrop(BlueGreenRequest request) {
    TableRef table = request.table();
    FidelityCheck.Result result = database.runner().run(context(request, "check the fidelity of " + table),
        connection -> fidelity.check(connection, request.migrationId(), switchedStep(request), table,
            StepChanges.objects(object -> false)));
    String summary = result.passedOrThrow(request.migrationId(), table, "dropping " + old(table),
        table + " unchanged since the switch");
    log.info("[{}] fidelity before the drop: {}", request.migrationId(), summary);
    return summary;
  }

  @Override
  public void switchTables(BlueGreenRequest request) {
    TableRef table = request.table();
    TableRef green = green(table);
    TableRef old = old(table);
    database.runner().run(context(request, "switch " + table + " to its green copy"), connection -> {
      Catalog catalog = new Catalog(connection);
      if (catalog.tableExists(old) && catalog.triggerExists(table, reverseName(table))) {
        return null; // switched already
      }
      // Both locks first, with lock_timeout: the application waits at most that long, once.
      StatementRunner.executeAll(connection, "LOCK TABLE %s, %s IN ACCESS EXCLUSIVE MODE".formatted(
          Identifiers.quote(table), Identifiers.quote(green)));
      String comment = text(connection, "SELECT obj_description(to_regclass(?), 'pg_class')",
          Identifiers.quote(table));
      moveSequences(connection, table, green);
      GreenCarryOver.atSwitch(connection, describe(connection, request, table), green);
      StatementRunner.executeAll(connection,
          "DROP TRIGGER IF EXISTS %s ON %s".formatted(Identifiers.quote(forwardName(table)), Identifiers.quote(table)),
          "DROP FUNCTION IF EXISTS %s()".formatted(function(table, forwardName(table))),
          "ALTER TABLE %s RENAME TO %s".formatted(Identifiers.quote(table), Identifiers.quote(old.name())),
          "ALTER TABLE %s RENAME TO %s".formatted(Identifiers.quote(green), Identifiers.quote(table.name())),
          "COMMENT ON TABLE %s IS %s".formatted(Identifiers.quote(table),
              comment == null ? "NULL" : Identifiers.literal(comment)));
      installTrigger(connection, table, old, reverseName(table));
      // In the switch's transaction, so a retry that finds the switch done finds this too.
      fidelity.snapshot(connection, request.migrationId(), switchedStep(request), table);
      log.info("[{}] switched {} to its green copy; the old table is {}", request.migrationId(), table, old);
      return null;
    });
  }

  @Override
  public void dropOld(BlueGreenRequest request) {
    TableRef table = request.table();
    TableRef old = old(table);
    database.runner().run(context(request, "drop " + old), connection -> {
      Catalog catalog = new Catalog(connection);
      if (catalog.triggerExists(table, reverseName(table))) {
        StatementRunner.executeAll(connection,
            "DROP TRIGGER %s ON %s".formatted(Identifiers.quote(reverseName(table)), Identifiers.quote(table)),
            "DROP TABLE IF EXISTS %s".formatted(Identifiers.quote(old)));
      }
      StatementRunner.executeAll(connection, "DROP FUNCTION IF EXISTS %s()".formatted(function(table, reverseName(table))));
      Optional<TableDescription> original =
          fidelity.snapshotOf(connection, request.migrationId(), fidelityStep(request), table);
      if (original.isPresent()) {
        restoreIndexNames(connection, original.get(), table);
      }
      renameGreenIndexes(connection, table);
      log.info("[{}] dropped {}", request.migrationId(), old);
      return null;
    });
  }

  @Override
  public void revert(BlueGreenRequest request) {
    TableRef table = request.table();
    TableRef green = green(table);
    TableRef old = old(table);
    database.runner().run(context(request, "revert " + table), connection -> {
      Catalog catalog = new Catalog(connection);
      boolean switched = catalog.tableExists(old) && catalog.triggerExists(table, reverseName(table));
      if (switched) {
        StatementRunner.executeAll(connection, "LOCK TABLE %s, %s IN ACCESS EXCLUSIVE MODE".formatted(
            Identifiers.quote(table), Identifiers.quote(old)));
        moveSequences(connection, table, old);
        // Subscribers follow the table back: what the switch moved to the green copy moves back.
        StatementRunner.executeAll(connection, GreenCarryOver.movePublications(
            describe(connection, request, table), table, old).toArray(String[]::new));
        StatementRunner.executeAll(connection,
            "DROP TRIGGER %s ON %s".formatted(Identifiers.quote(reverseName(table)), Identifiers.quote(table)),
            "ALTER TABLE %s RENAME TO %s".formatted(Identifiers.quote(table), Identifiers.quote(green.name())),
            "ALTER TABLE %s RENAME TO %s".formatted(Identifiers.quote(old), Identifiers.quote(table.name())),
            "COMMENT ON TABLE %s IS %s".formatted(Identifiers.quote(green),
                Identifiers.literal(ownerComment(request))));
      }
      if (catalog.tableExists(table)) {
        StatementRunner.executeAll(connection, "DROP TRIGGER IF EXISTS %s ON %s".formatted(
            Identifiers.quote(forwardName(table)), Identifiers.quote(table)));
      }
      StatementRunner.executeAll(connection,
          "DROP FUNCTION IF EXISTS %s()".formatted(function(table, forwardName(table))),
          "DROP FUNCTION IF EXISTS %s()".formatted(function(table, reverseName(table))));
      if (catalog.tableExists(green) && ownsGreen(connection, request)) {
        StatementRunner.executeAll(connection, "DROP TABLE %s".formatted(Identifiers.quote(green)));
      }
      log.info("[{}] reverted {}{}", request.migrationId(), table, switched ? " (names swapped back)" : "");
      return null;
    });
  }

  // SQL helpers.

  /**
   * With the old table gone its index names are free: each index of the table as the migration
   * found it gets its name back from the green index with the same definition (LIKE names the
   * copies after the green table, and a name like {@code idx_by_note} cannot be derived), and a
   * constraint backed by an index follows its index. An index the file's changes altered keeps
   * its new name.
   */
  private static void restoreIndexNames(Connection connection, TableDescription original, TableRef table)
      throws SQLException {
    TableDescription now = new TableDescriber(connection).describe(table).orElse(null);
    if (now == null) {
      return;
    }
    for (TableDescription.Index was : original.indexes()) {
      if (now.indexes().stream().anyMatch(index -> index.name().equals(was.name()))) {
        continue;
      }
      Optional<TableDescription.Index> copy = now.indexes().stream()
          .filter(index -> sameDefinition(index, was) && !original.indexes().stream()
              .anyMatch(other -> other.name().equals(index.name())))
          .findFirst();
      if (copy.isPresent() && text(connection, "SELECT to_regclass(?)::text",
          Identifiers.quote(new TableRef(table.schema(), was.name()))) == null) {
        StatementRunner.executeAll(connection, "ALTER INDEX %s RENAME TO %s".formatted(
            Identifiers.quote(new TableRef(table.schema(), copy.get().name())), Identifiers.quote(was.name())));
      }
    }
  }

  /** pg_get_indexdef past the index's own name: {@code ON <table> USING <method> (...)}. */
  private static boolean sameDefinition(TableDescription.Index a, TableDescription.Index b) {
    return a.unique() == b.unique() && a.primary() == b.primary()
        && afterOn(a.definition()).equals(afterOn(b.definition()));
  }

  private static String afterOn(String definition) {
    int on = definition.indexOf(" ON ");
    return on < 0 ? definition : definition.substring(on);
  }

  /**
   * With the old table gone its index names are free: {@code <table>_zdm_green_pkey} and the
   * like become {@code <table>_pkey} again (constraints backed by an index follow their index).
   */
  private static void renameGreenIndexes(Connection connection, TableRef table) throws SQLException {
    String prefix = green(table).name();
    List<String> indexes = column(connection,
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            + " WHERE i.indrelid = to_regclass(?) AND starts_with(c.relname, ?)",
        Identifiers.quote(table), prefix);
    for (String index : indexes) {
      String renamed = table.name() + index.substring(prefix.length());
      if (renamed.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > Identifiers.MAX_IDENTIFIER_BYTES
          || text(connection, "SELECT to_regclass(?)::text", Identifiers.quote(new TableRef(table.schema(), renamed))) != null) {
        continue;
      }
      StatementRunner.executeAll(connection, "ALTER INDEX %s RENAME TO %s".formatted(
          Identifiers.quote(new TableRef(table.schema(), index)), Identifiers.quote(renamed)));
    }
  }

  /** An AFTER row trigger on {@code source} that makes {@code target} follow every write by key. */
  private void installTrigger(Connection connection, TableRef source, TableRef target, String name)
      throws SQLException {
    List<KeyColumn> key = new Catalog(connection).primaryKey(source);
    List<String> columns = commonColumns(connection, source, target);
    String keyList = key.stream().map(k -> Identifiers.quote(k.name())).collect(Collectors.joining(", "));
    String oldKey = key.stream().map(k -> "OLD." + Identifiers.quote(k.name())).collect(Collectors.joining(", "));
    String newKey = key.stream().map(k -> "NEW." + Identifiers.quote(k.name())).collect(Collectors.joining(", "));
    List<String> keyNames = key.stream().map(KeyColumn::name).toList();
    String updates = columns.stream().filter(c -> !keyNames.contains(c))
        .map(c -> Identifiers.quote(c) + " = EXCLUDED." + Identifiers.quote(c))
        .collect(Collectors.joining(", "));
    String onConflict = updates.isEmpty() ? "DO NOTHING" : "DO UPDATE SET " + updates;
    String body =
        """
        BEGIN
          IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND ROW(%1$s) IS DISTINCT FROM ROW(%2$s)) THEN
            DELETE FROM %3$s WHERE ROW(%4$s) = ROW(%1$s);
          END IF;
          IF TG_OP <> 'DELETE' THEN
            INSERT INTO %3$s (%5$s) OVERRIDING SYSTEM VALUE VALUES (%6$s)
              ON CONFLICT (%4$s) %7$s;
          END IF;
          RETURN NULL;
        END
        """.formatted(oldKey, newKey, Identifiers.quote(target), keyList, Identifiers.quoteAll(columns),
            columns.stream().map(c -> "NEW." + Identifiers.quote(c)).collect(Collectors.joining(", ")),
            onConflict);
    // SECURITY DEFINER: an application role that may write the table writes its mirror as zdm,
    // which (as a member of the owner role) may write both, whatever privileges the writer has.
    // Every name in the body is schema-qualified; the search_path keeps anything else out.
    StatementRunner.executeAll(connection, ("CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql"
        + " SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS %s").formatted(
        function(source, name), Identifiers.literal(body)));
    if (!new Catalog(connection).triggerExists(source, name)) {
      StatementRunner.executeAll(connection, "CREATE TRIGGER %s AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION %s()"
          .formatted(Identifiers.quote(name), Identifiers.quote(source), function(source, name)));
    }
  }

  /** Writable columns (not generated, not dropped) present in both tables, in the source's order. */
  private static List<String> commonColumns(Connection connection, TableRef source, TableRef target)
      throws SQLException {
    return column(connection,
        "SELECT s.attname FROM pg_attribute s JOIN pg_attribute t ON t.attrelid = to_regclass(?)"
            + " AND t.attname = s.attname AND t.attnum > 0 AND NOT t.attisdropped AND t.attgenerated = ''"
            + " WHERE s.attrelid = to_regclass(?) AND s.attnum > 0 AND NOT s.attisdropped"
            + " AND s.attgenerated = '' ORDER BY s.attnum",
        Identifiers.quote(target), Identifiers.quote(source));
  }

  /** Common columns whose type is the same on both sides: their text must match row for row. */
  private static List<String> comparableColumns(Connection connection, TableRef source, TableRef target)
      throws SQLException {
    return column(connection,
        "SELECT s.attname FROM pg_attribute s JOIN pg_attribute t ON t.attrelid = to_regclass(?)"
            + " AND t.attname = s.attname AND t.attnum > 0 AND NOT t.attisdropped AND t.attgenerated = ''"
            + " AND t.atttypid = s.atttypid AND t.atttypmod = s.atttypmod"
            + " WHERE s.attrelid = to_regclass(?) AND s.attnum > 0 AND NOT s.attisdropped"
            + " AND s.attgenerated = '' ORDER BY s.attnum",
        Identifiers.quote(target), Identifiers.quote(source));
  }

  /**
   * Before {@code from} stops being the table: serial sequences it owns move to {@code to}'s
   * column (so dropping it later does not take them along), and identity sequences of {@code to}
   * continue where {@code from}'s stopped.
   */
  private static void moveSequences(Connection connection, TableRef from, TableRef to) throws SQLException {
    List<String[]> columns = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT s.attname, pg_get_serial_sequence(?, s.attname), s.attidentity <> '', t.attidentity <> '',"
            + " pg_get_serial_sequence(?, t.attname)"
            + " FROM pg_attribute s JOIN pg_attribute t ON t.attrelid = to_regclass(?) AND t.attname = s.attname"
            + " AND t.attnum > 0 AND NOT t.attisdropped"
            + " WHERE s.attrelid = to_regclass(?) AND s.attnum > 0 AND NOT s.attisdropped")) {
      statement.setString(1, Identifiers.quote(from));
      statement.setString(2, Identifiers.quote(to));
      statement.setString(3, Identifiers.quote(to));
      statement.setString(4, Identifiers.quote(from));
      try (ResultSet row = statement.executeQuery()) {
        while (row.next()) {
          columns.add(new String[] {row.getString(1), row.getString(2), String.valueOf(row.getBoolean(3)),
              String.valueOf(row.getBoolean(4)), row.getString(5)});
        }
      }
    }
    for (String[] c : columns) {
      String column = c[0];
      String fromSequence = c[1];
      boolean fromIdentity = Boolean.parseBoolean(c[2]);
      boolean toIdentity = Boolean.parseBoolean(c[3]);
      String toSequence = c[4];
      if (fromSequence == null) {
        continue;
      }
      if (!fromIdentity && !toIdentity) {
        try (PreparedStatement statement = connection.prepareStatement(
            "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ?::regclass")) {
          statement.setString(1, fromSequence);
          try (ResultSet row = statement.executeQuery()) {
            row.next();
            // The name comes from the catalog already quoted by quote_ident.
            StatementRunner.executeAll(connection, "ALTER SEQUENCE %s OWNED BY %s.%s".formatted(
                row.getString(1), Identifiers.quote(to), Identifiers.quote(column)));
          }
        }
      } else if (toIdentity && toSequence != null) {
        try (PreparedStatement statement = connection.prepareStatement(
            "SELECT setval(?::regclass, greatest(coalesce(pg_sequence_last_value(?::regclass), 0),"
                + " coalesce(pg_sequence_last_value(?::regclass), 0), 1))")) {
          statement.setString(1, toSequence);
          statement.setString(2, fromSequence);
          statement.setString(3, toSequence);
          statement.execute();
        }
      }
    }
  }

  /**
   * LIKE does not copy foreign keys: each of the table's own validated ones is added to the still
   * empty copy, where it is valid at once (a brief SHARE ROW EXCLUSIVE on the referenced table,
   * under lock_timeout). NOT VALID ones would refuse the copy of legacy rows: they follow at the
   * switch (GreenCarryOver).
   */
  private static void copyForeignKeys(Connection connection, TableDescription table, TableRef to) throws SQLException {
    for (TableDescription.Constraint key : table.constraints()) {
      if ("f".equals(key.type()) && key.validated()) {
        // The definition is PostgreSQL's own rendering, names already quoted where needed.
        StatementRunner.executeAll(connection, "ALTER TABLE %s ADD CONSTRAINT %s %s".formatted(
            Identifiers.quote(to), Identifiers.quote(key.name()), key.definition()));
      }
    }
  }

  private static TableDescription describe(Connection connection, BlueGreenRequest request, TableRef table)
      throws SQLException {
    return new TableDescriber(connection).describe(table)
        .orElseThrow(() -> refusal(request, "table " + table + " does not exist"));
  }

  private boolean ownsGreen(Connection connection, BlueGreenRequest request) throws SQLException {
    return ownerComment(request).equals(text(connection,
        "SELECT obj_description(to_regclass(?), 'pg_class')", Identifiers.quote(green(request.table()))));
  }

  private KeysetCursor keys(BlueGreenRequest request) {
    List<KeyColumn> key = database.runner().run(context(request, "read the key of " + request.table()),
        connection -> new Catalog(connection).primaryKey(request.table()));
    if (key.isEmpty()) {
      throw refusal(request, "table " + request.table() + " has no primary key");
    }
    return new KeysetCursor(key);
  }

  private static List<String> lastKey(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(sql)) {
      return row.next() ? textArray(row.getArray(1)) : null;
    }
  }

  private static List<String> textArray(Array array) throws SQLException {
    if (array == null) {
      return null;
    }
    return Arrays.asList((String[]) array.getArray());
  }

  private static String text(Connection connection, String sql, String... parameters) throws SQLException {
    List<String> values = column(connection, sql, parameters);
    return values.isEmpty() ? null : values.get(0);
  }

  private static List<String> column(Connection connection, String sql, String... parameters) throws SQLException {
    List<String> values = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setString(i + 1, parameters[i]);
      }
      try (ResultSet row = statement.executeQuery()) {
        while (row.next()) {
          values.add(row.getString(1));
        }
      }
    }
    return values;
  }



  private static ApplicationFailure refusal(BlueGreenRequest request, String message) {
    return ApplicationFailure.newNonRetryableFailure(
        "[" + request.migrationId() + "] blue-green refused: " + message, ZdmFailures.INVALID_MIGRATION);
  }

  private static StatementContext context(BlueGreenRequest request, String description) {
    return StatementContext.forStep(request.migrationId(), description, request.options());
  }


  private static StatementContext dataContext(BlueGreenRequest request, String description) {
    return context(request, description).withStatementTimeout(DATA_STATEMENT_TIMEOUT);
  }

}
