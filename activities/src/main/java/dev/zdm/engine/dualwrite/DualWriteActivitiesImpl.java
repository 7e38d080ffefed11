package dev.zdm.engine.dualwrite;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.backfill.BatchChange;
import dev.zdm.catalog.ColumnPublications;
import dev.zdm.catalog.FidelityCheck;
import dev.zdm.catalog.StepChanges;
import dev.zdm.catalog.TableDescriber;
import dev.zdm.catalog.TableDescription;
import dev.zdm.dualwrite.DualWriteActivities;
import dev.zdm.dualwrite.DualWriteKind;
import dev.zdm.dualwrite.DualWritePlan;
import dev.zdm.dualwrite.DualWriteRequest;
import dev.zdm.engine.backfill.ViolatedChecks;
import dev.zdm.engine.progressive.IndexBuilds;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.Catalog;
import dev.zdm.postgres.Identifiers;
import dev.zdm.postgres.KeyColumn;
import dev.zdm.postgres.StatementContext;
import dev.zdm.postgres.StatementRunner;
import dev.zdm.postgres.TargetDatabase;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dual-write's database steps. Each reads the catalog before acting; the new column carries a
 * comment naming the migration, so a retry recognises its own column and a rollback never drops
 * a column zdm did not add.
 */
public class DualWriteActivitiesImpl implements DualWriteActivities {
  /** VALIDATE CONSTRAINT reads the whole table under SHARE UPDATE EXCLUSIVE (writes go on). */
  public static final Duration VALIDATE_STATEMENT_TIMEOUT = Duration.ofHours(2);
  static final String NOT_NULL_CHECK_PREFIX = "_zdm_nn_";

  private static final Logger log = LoggerFactory.getLogger(DualWriteActivitiesImpl.class);

  private final TargetDatabase database;
  private final FidelityCheck fidelity;

  public DualWriteActivitiesImpl(TargetDatabase database) {
    this.database = database;
    this.fidelity = new FidelityCheck(database.ledger());
  }

  @Override
  public DualWritePlan plan(DualWriteRequest request) {
    try (Connection connection = database.dataSource().getConnection()) {
      Catalog catalog = new Catalog(connection);
      TableRef table = request.table();
      if (!catalog.tableExists(table)) {
        throw refusal(request, "table " + table + " does not exist");
      }
      List<KeyColumn> key = catalog.primaryKey(table);
      if (key.isEmpty()) {
        throw refusal(request, "table " + table + " has no primary key: the backfill walks the"
            + " primary key in batches and cannot run without one");
      }
      String oldType = null;
      if (request.oldColumn() != null) {
        oldType = catalog.columnType(table, request.oldColumn())
            .orElseThrow(() -> refusal(request, "column " + table + "." + request.oldColumn() + " does not exist"));
        if (key.stream().anyMatch(k -> k.name().equals(request.oldColumn()))) {
          throw refusal(request, request.oldColumn() + " is part of the primary key of " + table
              + ": dual-write cannot move a key column (the backfill walks the key it would change, and"
              + " the foreign keys that reference it would have to change in the same cut-over). Ways out:"
              + " a type change of a key column planned with the database at hand (zdm start, zdm plan"
              + " --database-url) is rebuilt with blue-green, if no other table references " + table
              + "; or add the new column yourself (ADD COLUMN, a batched UPDATE, a UNIQUE index built"
              + " CONCURRENTLY), then swap the key in a short maintenance step (ALTER TABLE ... DROP"
              + " CONSTRAINT <pkey>, ADD CONSTRAINT <pkey> PRIMARY KEY USING INDEX ...), or run this"
              + " statement with --force in a maintenance window");
        }
      }
      Optional<String> existing = catalog.columnType(table, request.newColumn());
      if (existing.isPresent() && !ownsColumn(catalog, request)) {
        throw refusal(request, "column " + table + "." + request.newColumn()
            + " already exists and was not added by this migration");
      }
      String newType = request.newType() != null ? request.newType() : oldType;
      String forward = request.forward() != null ? request.forward() : defaultForward(request, oldType, newType);
      boolean derived = request.kind() == DualWriteKind.DERIVED_COLUMN;
      String inverse = request.kind() == DualWriteKind.ADD_NOT_NULL || derived ? null
          : request.inverse() != null ? request.inverse() : defaultInverse(request, oldType, newType);
      boolean setNotNull = request.kind() == DualWriteKind.ADD_NOT_NULL || derived
          || catalog.columnNotNull(table, request.oldColumn());
      DualWritePlan draft = new DualWritePlan(request, oldType, newType, forward, inverse, setNotNull, null);
      DualWritePlan plan = new DualWritePlan(
          request, oldType, newType, forward, inverse, setNotNull, backfillChange(draft));
      List<String> violated = ViolatedChecks.of(connection, table);
      if (!violated.isEmpty()) {
        throw refusal(request, "dual-write refused: the backfill updates every row of " + table
            + ", and PostgreSQL checks a NOT VALID CHECK on every row an UPDATE writes, so it would fail on"
            + " the legacy rows that break it (as any UPDATE of them does):\n  " + String.join("\n  ", violated)
            + "\nFix those rows first, or drop the constraint in the migration file before this change and"
            + " add it again NOT VALID after it. Nothing was changed.");
      }
      if (derived) {
        new Derivation(request, plan.newType()).refuseUnlessDeterministic(connection);
      } else {
        probe(connection, plan);
      }
      if (request.oldColumn() != null && request.kind() != DualWriteKind.ADD_NOT_NULL) {
        List<String> publications = ColumnPublications.naming(connection, table, request.oldColumn());
        if (!publications.isEmpty()) {
          throw refusal(request, "dual-write refused: the cut-over drops " + table + "." + request.oldColumn()
              + ", which the column list or row filter of publication " + String.join(", ", publications)
              + " names; PostgreSQL will not drop it while they do, and zdm does not change publications."
              + " Take the column out of the publication (ALTER PUBLICATION ... SET TABLE ...) before this"
              + " change and put " + request.newColumn() + " in after it. Nothing was changed.");
        }
        CarryOver carry = CarryOver.of(new TableDescriber(connection).describe(table).orElseThrow(), request);
        refuseLosses(request, carry);
        probeCarryOver(connection, plan, carry);
      }
      // Before anything changes: what the cut-over will be compared with.
      fidelity.snapshot(connection, request.migrationId(), request.progressKey(), table);
      return plan;
    } catch (SQLException e) {
      throw ApplicationFailure.newFailure(
          "[" + request.migrationId() + "] cannot read the catalog: " + e.getMessage(), "TransientSqlError");
    }
  }

  private static String defaultForward(DualWriteRequest request, String oldType, String newType) {
    if (request.kind() == DualWriteKind.ADD_NOT_NULL) {
      return request.notNullDefault();
    }
    return newType.equals(oldType) ? DualWriteRequest.OLD : "CAST(" + DualWriteRequest.OLD + " AS " + newType + ")";
  }

  private static String defaultInverse(DualWriteRequest request, String oldType, String newType) {
    return newType.equals(oldType) ? DualWriteRequest.NEW : "CAST(" + DualWriteRequest.NEW + " AS " + oldType + ")";
  }

  /**
   * The backfill sets the new column where the two columns disagree both ways: the new value is
   * not what the old one maps to, and the old value is not what the new one maps back to. A value
   * the new application wrote through the new column satisfies the second, so a lossy inverse
   * (text back to varchar(10)) never gets it overwritten by its truncated round trip — and the
   * verification, which checks the same condition, does not call it a mismatch.
   */
  private static BatchChange.UpdateRows backfillChange(DualWritePlan plan) {
    DualWriteTrigger sql = new DualWriteTrigger(plan);
    String newColumn = Identifiers.quote(plan.request().newColumn());
    String forward = sql.expression(plan.forward(), "");
    if (plan.request().kind() == DualWriteKind.ADD_NOT_NULL) {
      return new BatchChange.UpdateRows(newColumn + " = " + forward, newColumn + " IS NULL");
    }
    if (plan.request().kind() == DualWriteKind.DERIVED_COLUMN) {
      // Every row whose value is not what the row derives: NULL ones and any a writer set otherwise.
      return new BatchChange.UpdateRows(newColumn + " = (" + forward + ")",
          newColumn + " IS DISTINCT FROM (" + forward + ")");
    }
    String oldColumn = Identifiers.quote(plan.request().oldColumn());
    String inverse = sql.expression(plan.inverse(), "");
    String pending = "(" + newColumn + " IS DISTINCT FROM (" + forward + ") AND " + oldColumn
        + " IS DISTINCT FROM (" + inverse + "))";
    return new BatchChange.UpdateRows(newColumn + " = " + forward, pending);
  }

  /**
   * The cut-over drops the old column, and PostgreSQL drops with it what depends on it. What
   * dual-write cannot recreate on the new column is refused here, before anything changes.
   */
  private static void refuseLosses(DualWriteRequest request, CarryOver carry) {
    if (!carry.refusals().isEmpty()) {
      throw refusal(request, "dual-write refused: the cut-over drops " + request.table() + "."
          + request.oldColumn() + " and with it what dual-write cannot recreate on " + request.newColumn()
          + ":\n  " + String.join("\n  ", carry.refusals()) + "\nNothing was changed.");
    }
  }

  /**
   * Builds every carried index and CHECK on an empty temporary copy of the table with the new
   * column, in a transaction rolled back at once: an operator class, collation or function the
   * new type cannot take is refused now, naming the object, instead of failing the carry-over.
   */
  private static void probeCarryOver(Connection connection, DualWritePlan plan, CarryOver carry)
      throws SQLException {
    if (carry.objects().isEmpty()) {
      return;
    }
    DualWriteRequest request = plan.request();
    String probe = "pg_temp." + Identifiers.quote("zdm_carry_probe");
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      statement.execute("CREATE TEMP TABLE %s (LIKE %s) ON COMMIT DROP".formatted(
          Identifiers.quote("zdm_carry_probe"), Identifiers.quote(request.table())));
      statement.execute("ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s %s".formatted(
          probe, Identifiers.quote(request.newColumn()), plan.newType()));
      for (CarriedObject object : carry.objects()) {
        String sql;
        if (object instanceof CarriedObject.Index index) {
          sql = createIndex(index, probe, false);
        } else if (object instanceof CarriedObject.Unique unique) {
          sql = createIndex(unique.index(), probe, false);
        } else if (object instanceof CarriedObject.Constraint check && check.definition().startsWith("CHECK")) {
          sql = "ALTER TABLE %s ADD %s NOT VALID".formatted(probe, check.definition());
        } else {
          continue; // a foreign key cannot point from a temporary table to a permanent one
        }
        try (Statement each = connection.createStatement()) {
          each.execute(sql);
        } catch (SQLException e) {
          throw refusal(request, "dual-write refused: " + object.describe() + " of " + request.table()
              + " cannot be recreated on " + request.newColumn() + " " + plan.newType() + " (" + e.getMessage()
              + "). Drop it in the migration file before this change and create one that fits the new type"
              + " after it. Nothing was changed.");
        }
      }
    } finally {
      connection.rollback();
      connection.setAutoCommit(autoCommit);
    }
  }

  /** CREATE [UNIQUE] INDEX [CONCURRENTLY] name ON table USING ...; an unnamed one without a name. */
  static String createIndex(CarriedObject.Index index, String table, boolean concurrently) {
    return "CREATE " + (index.unique() ? "UNIQUE " : "") + "INDEX "
        + (concurrently ? "CONCURRENTLY " + Identifiers.quote(index.temporary()) + " " : "")
        + "ON " + table + " " + index.tail();
  }

  /** Lets PostgreSQL check the expressions and type now, before anything is changed. */
  private static void probe(Connection connection, DualWritePlan plan) {
    DualWriteTrigger sql = new DualWriteTrigger(plan);
    DualWriteRequest request = plan.request();
    String forward = request.oldColumn() == null ? plan.forward()
        : plan.forward().replace(DualWriteRequest.OLD, "t." + Identifiers.quote(request.oldColumn()));
    String inverse = plan.inverse() == null ? "NULL"
        : plan.inverse().replace(DualWriteRequest.NEW, "CAST(NULL AS " + plan.newType() + ")");
    String probe = "SELECT CAST((%s) AS %s), (%s) FROM %s t LIMIT 0"
        .formatted(forward, plan.newType(), inverse, Identifiers.quote(request.table()));
    try (Statement statement = connection.createStatement()) {
      statement.execute(probe);
      Optional<String> oldDefault = request.oldColumn() == null || request.kind() == DualWriteKind.ADD_NOT_NULL
          ? Optional.empty() : columnDefault(connection, request.table(), request.oldColumn());
      if (oldDefault.isPresent()) {
        // The cut-over moves the default to the new column: it must fit the new type.
        statement.execute("SELECT CAST((%s) AS %s) FROM %s t LIMIT 0".formatted(oldDefault.get(), plan.newType(),
            Identifiers.quote(request.table())));
      }
    } catch (SQLException e) {
      throw refusal(request, "the conversion for " + request.describe() + " is not valid SQL here ("
          + e.getMessage() + "); trigger " + sql.name() + " was not installed");
    }
  }

  @Override
  public void addColumn(DualWritePlan plan) {
    DualWriteRequest request = plan.request();
    database.runner().run(context(request, "add column " + request.newColumn()), connection -> {
      Catalog catalog = new Catalog(connection);
      if (catalog.columnType(request.table(), request.newColumn()).isPresent()) {
        if (!ownsColumn(catalog, request)) {
          throw refusal(request, "column " + request.newColumn() + " appeared meanwhile and is not zdm's");
        }
        return null;
      }
      StatementRunner.executeAll(connection,
          "ALTER TABLE %s ADD COLUMN %s %s".formatted(
              Identifiers.quote(request.table()), Identifiers.quote(request.newColumn()), plan.newType()),
          "COMMENT ON COLUMN %s.%s IS %s".formatted(
              Identifiers.quote(request.table()), Identifiers.quote(request.newColumn()),
              Identifiers.literal(ownerComment(request))));
      log.info("[{}] added {}.{} {}", request.migrationId(), request.table(), request.newColumn(), plan.newType());
      return null;
    });
  }

  @Override
  public void installTrigger(DualWritePlan plan) {
    DualWriteRequest request = plan.request();
    DualWriteTrigger trigger = new DualWriteTrigger(plan);
    database.runner().run(context(request, "install trigger " + trigger.name()), connection -> {
      StatementRunner.executeAll(connection, trigger.createFunction());
      Catalog catalog = new Catalog(connection);
      // A retry of a run whose first attempt (an earlier release) installed the legacy name keeps it.
      if (!catalog.triggerExists(request.table(), trigger.name())
          && !catalog.triggerExists(request.table(), trigger.legacyName())) {
        StatementRunner.executeAll(connection, request.kind() == DualWriteKind.DERIVED_COLUMN
            ? trigger.createTrigger(new Derivation(request, plan.newType()).sourceColumns(connection))
            : trigger.createTrigger());
      }
      log.info("[{}] dual-write trigger {} on {}", request.migrationId(), trigger.name(), request.table());
      return null;
    });
  }

  @Override
  public void removeDualWrite(DualWritePlan plan) {
    DualWriteRequest request = plan.request();
    DualWriteTrigger trigger = new DualWriteTrigger(plan);
    // One transaction: between dropping the trigger and the column no write may reach only the new column.
    database.runner().run(context(request, "remove dual-write of " + request.newColumn()), connection -> {
      StatementRunner.executeAll(connection, trigger.drop());
      Catalog catalog = new Catalog(connection);
      if (catalog.columnType(request.table(), request.newColumn()).isPresent() && ownsColumn(catalog, request)) {
        StatementRunner.executeAll(connection, "ALTER TABLE %s DROP COLUMN %s".formatted(
            Identifiers.quote(request.table()), Identifiers.quote(request.newColumn())));
      }
      log.info("[{}] dual-write of {} removed", request.migrationId(), request.table());
      return null;
    });
  }

  @Override
  public void enforceNotNull(DualWritePlan plan) {
    DualWriteRequest request = plan.request();
    String table = Identifiers.quote(request.table());
    String column = Identifiers.quote(request.newColumn());
    String check = Identifiers.generatedName(NOT_NULL_CHECK_PREFIX, request.table().name(), request.newColumn());
    Optional<Boolean> validated = database.runner().run(context(request, "look at " + check), connection -> {
      Catalog catalog = new Catalog(connection);
      if (catalog.columnNotNull(request.table(), request.newColumn())) {
        return Optional.of(Boolean.TRUE);
      }
      Optional<Boolean> state = catalog.constraintValidated(request.table(), check);
      if (state.isEmpty()) {
        // NOT VALID: no scan, only a brief lock; new rows are checked from now on.
        StatementRunner.executeAll(connection, "ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s IS NOT NULL) NOT VALID"
            .formatted(table, Identifiers.quote(check), column));
        return Optional.of(Boolean.FALSE);
      }
      return state;
    });
    if (!validated.orElse(false)) {
      // The scan, under SHARE UPDATE EXCLUSIVE: the application keeps reading and writing.
      database.runner().runWatched(
          context(request, "validate " + check, VALIDATE_STATEMENT_TIMEOUT),
          (connection, watch) -> {
            StatementRunner.executeAll(connection, "ALTER TABLE %s VALIDATE CONSTRAINT %s".formatted(table, Identifiers.quote(check)));
            return null;
          });
    }
    database.runner().run(context(request, "set " + request.newColumn() + " NOT NULL"), connection -> {
      // With a valid CHECK (col IS NOT NULL), SET NOT NULL skips its full-table scan.
      StatementRunner.executeAll(connection,
          "ALTER TABLE %s ALTER COLUMN %s SET NOT NULL".formatted(table, column),
          "ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s".formatted(table, Identifiers.quote(check)));
      if (request.kind() == DualWriteKind.ADD_NOT_NULL && request.notNullDefault() != null) {
        StatementRunner.executeAll(connection, "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s"
            .formatted(table, column, request.notNullDefault()));
      }
      return null;
    });
    log.info("[{}] {}.{} is NOT NULL", request.migrationId(), request.table(), request.newColumn());
  }

  @Override
  public String carryOver(DualWritePlan plan) {
    DualWriteRequest request = plan.request();
    String table = Identifiers.quote(request.table());
    String column = Identifiers.quote(request.newColumn());
    CarryOver carry = database.runner().run(context(request, "read what " + request.oldColumn() + " carries"),
        connection -> describe(connection, request).map(d -> CarryOver.of(d, request)).orElse(null));
    if (carry == null) {
      return "nothing to carry over: " + request.oldColumn() + " is gone";
    }
    // Something added since the plan that dual-write cannot carry: stop before the reads gate.
    refuseLosses(request, carry);
    for (CarriedObject object : carry.objects()) {
      CarriedObject.Index index = object instanceof CarriedObject.Unique unique ? unique.index()
          : object instanceof CarriedObject.Index plain ? plain : null;
      if (index != null) {
        // A retry finds the build its predecessor started and waits for it, or drops an INVALID one.
        TableRef name = new TableRef(request.table().schema(), index.temporary());
        database.runner().runWatched(
            context(request, "build " + index.temporary() + " for " + object.describe(), Duration.ZERO)
                .outsideTransaction(),
            (connection, watch) -> {
              new IndexBuilds(request.migrationId(), name).build(connection, watch,
                  createIndex(index, table, true));
              return null;
            });
        database.runner().run(context(request, "mark " + index.temporary()), connection -> {
          StatementRunner.executeAll(connection, "COMMENT ON INDEX %s IS %s".formatted(
              Identifiers.quote(name), Identifiers.literal(CarryOverNames.ownerComment(request, object))));
          return null;
        });
      } else if (object instanceof CarriedObject.Constraint constraint) {
        carryConstraint(request, constraint);
      }
    }
    database.runner().run(context(request, "grant on " + request.newColumn()), connection -> {
      if (carry.statisticsTarget() >= 0) {
        StatementRunner.executeAll(connection, "ALTER TABLE %s ALTER COLUMN %s SET STATISTICS %d"
            .formatted(table, column, carry.statisticsTarget()));
      }
      for (TableDescription.Grant grant : carry.grants()) {
        StatementRunner.executeAll(connection, "GRANT %s (%s) ON %s TO %s%s".formatted(grant.privilege(), column,
            table, "PUBLIC".equals(grant.grantee()) ? "PUBLIC" : Identifiers.quote(grant.grantee()),
            grant.grantable() ? " WITH GRANT OPTION" : ""));
      }
      return null;
    });
    String summary = carry.objects().isEmpty() && carry.grants().isEmpty()
        ? "nothing on " + request.oldColumn() + " to carry over"
        : "on " + request.newColumn() + " until the cut-over: " + String.join(", ", carry.objects().stream()
            .map(o -> o.describe() + " as " + o.temporary()).toList())
            + (carry.grants().isEmpty() ? "" : (carry.objects().isEmpty() ? "" : ", ") + carry.grants().size()
                + " column grant(s)");
    log.info("[{}] carried over: {}", request.migrationId(), summary);
    return summary;
  }

  /** ADD CONSTRAINT ... NOT VALID (a brief lock, no scan), then VALIDATE (a scan; writes go on). */
  private void carryConstraint(DualWriteRequest request, CarriedObject.Constraint constraint) {
    String table = Identifiers.quote(request.table());
    String name = Identifiers.quote(constraint.temporary());
    Optional<Boolean> validated = database.runner().run(context(request, "add " + constraint.temporary()), connection -> {
      Optional<Boolean> state = new Catalog(connection).constraintValidated(request.table(), constraint.temporary());
      if (state.isEmpty()) {
        StatementRunner.executeAll(connection,
            "ALTER TABLE %s ADD CONSTRAINT %s %s NOT VALID".formatted(table, name, constraint.definition()),
            "COMMENT ON CONSTRAINT %s ON %s IS %s".formatted(name, table,
                Identifiers.literal(CarryOverNames.ownerComment(request, constraint))));
        return Optional.of(Boolean.FALSE);
      }
      return state;
    });
    if (constraint.validate() && !validated.orElse(false)) {
      database.runner().runWatched(context(request, "validate " + constraint.temporary(), VALIDATE_STATEMENT_TIMEOUT),
          (connection, watch) -> {
            StatementRunner.executeAll(connection, "ALTER TABLE %s VALIDATE CONSTRAINT %s".formatted(table, name));
            return null;
          });
    }
  }

  private static Optional<TableDescription> describe(Connection connection, DualWriteRequest request)
      throws SQLException {
    Optional<TableDescription> table = new TableDescriber(connection).describe(request.table());
    return table.filter(t -> t.column(request.oldColumn()).isPresent()
        && (request.kind() != DualWriteKind.CHANGE_TYPE || t.column(request.newColumn()).isPresent()));
  }

  @Override
  public String checkFidelity(DualWritePlan plan) {
    DualWriteRequest request = plan.request();
    DualWriteTrigger dualWrite = new DualWriteTrigger(plan);
    Set<String> triggers = Set.of("trigger " + dualWrite.name(), "trigger " + dualWrite.legacyName());
    String newColumn = "column " + request.newColumn();
    // The step adds the new column (with its NOT NULL, default, comment, grants), its trigger, the
    // NOT NULL check while it is validated and the carried objects under their temporary names;
    // nothing else of the table may have changed.
    StepChanges expected = StepChanges.objects(object -> object.equals(newColumn) || triggers.contains(object)
        || object.startsWith("constraint " + NOT_NULL_CHECK_PREFIX)
        || object.startsWith("index " + CarryOverNames.PREFIX)
        || object.startsWith("constraint " + CarryOverNames.PREFIX));
    FidelityCheck.Result result = database.runner().run(context(request, "check the fidelity of " + request.table()),
        connection -> {
          FidelityCheck.Result compared = fidelity.check(
              connection, request.migrationId(), request.progressKey(), request.table(), expected);
          List<String> missing = request.kind() == DualWriteKind.ADD_NOT_NULL ? List.of()
              : describe(connection, request).map(d -> notCarried(d, request)).orElse(List.of());
          if (missing.isEmpty()) {
            return compared;
          }
          List<String> differences = new ArrayList<>(compared.differences());
          differences.addAll(missing);
          return new FidelityCheck.Result(compared.compared(), differences);
        });
    String summary = result.passedOrThrow(request.migrationId(), request.table(),
        "the cut-over of " + request.describe(),
        request.table() + " unchanged since the step began, apart from the new column, the trigger and what"
            + " was carried over to " + request.newColumn());
    log.info("[{}] fidelity: {}", request.migrationId(), summary);
    return summary;
  }

  /**
   * The old column's objects whose copy on the new column is missing, INVALID or not validated:
   * the cut-over would lose them with the old column.
   */
  private static List<String> notCarried(TableDescription table, DualWriteRequest request) {
    List<String> missing = new ArrayList<>();
    for (CarriedObject object : CarryOver.of(table, request).objects()) {
      String temporary = object.temporary();
      boolean ready = object instanceof CarriedObject.Constraint constraint
          ? table.constraints().stream().anyMatch(c -> c.name().equals(temporary)
              && (c.validated() || !constraint.validate()))
          : table.indexes().stream().anyMatch(i -> i.name().equals(temporary) && i.valid());
      if (!ready) {
        missing.add(object.describe() + " on " + request.oldColumn() + " has no valid copy " + temporary
            + " on " + request.newColumn() + ": the cut-over would lose it");
      }
    }
    return missing;
  }

  @Override
  public void cutOver(DualWritePlan plan) {
    DualWriteRequest request = plan.request();
    DualWriteTrigger trigger = new DualWriteTrigger(plan);
    String table = Identifiers.quote(request.table());
    database.runner().run(context(request, "cut over " + request.describe()), connection -> {
      Catalog catalog = new Catalog(connection);
      if (request.kind() == DualWriteKind.DERIVED_COLUMN) {
        keepDerivation(connection, request, trigger);
        return null;
      }
      StatementRunner.executeAll(connection, trigger.drop());
      boolean newPresent = catalog.columnType(request.table(), request.newColumn()).isPresent();
      // Before the old column goes (not on a retry after this transaction committed): what was
      // carried to the new column, to swap in under the original names once the originals are gone.
      Optional<TableDescription> before = request.kind() == DualWriteKind.ADD_NOT_NULL
          ? Optional.empty() : describe(connection, request);
      List<CarriedObject> carried = before.map(d -> present(d, CarryOver.of(d, request).objects())).orElse(List.of());
      if (request.kind() != DualWriteKind.ADD_NOT_NULL && newPresent) {
        moveDefault(connection, request);
      }
      String target = request.kind() == DualWriteKind.CHANGE_TYPE ? request.oldColumn() : request.newColumn();
      switch (request.kind()) {
        case RENAME_COLUMN -> {
          if (catalog.columnType(request.table(), request.oldColumn()).isPresent()) {
            StatementRunner.executeAll(connection, "ALTER TABLE %s DROP COLUMN %s".formatted(table, Identifiers.quote(request.oldColumn())));
          }
        }
        case CHANGE_TYPE -> {
          if (newPresent) {
            StatementRunner.executeAll(connection,
                "ALTER TABLE %s DROP COLUMN IF EXISTS %s".formatted(table, Identifiers.quote(request.oldColumn())),
                "ALTER TABLE %s RENAME COLUMN %s TO %s".formatted(
                    table, Identifiers.quote(request.newColumn()), Identifiers.quote(request.oldColumn())));
          }
        }
        case ADD_NOT_NULL -> { }
        case DERIVED_COLUMN -> throw new IllegalStateException("handled above");
      }
      new CarriedSwap(request.table()).swapIn(connection, carried,
          before.map(TableDescription::replicaIdentityIndex).orElse(null));
      String oldComment = before.flatMap(d -> d.column(request.oldColumn())).map(TableDescription.Column::comment)
          .orElse(null);
      handOverComment(connection, request, target, oldComment);
      return null;
    });
    log.info("[{}] cut over: {}", request.migrationId(), request.describe());
  }

  /** The carried objects whose temporary copy exists (a run that began before carry-over has none). */
  private static List<CarriedObject> present(TableDescription table, List<CarriedObject> objects) {
    return objects.stream().filter(o -> table.indexes().stream().anyMatch(i -> i.name().equals(o.temporary()))
        || table.constraints().stream().anyMatch(c -> c.name().equals(o.temporary()))).toList();
  }

  /**
   * A derived column's end: the trigger stays (decision 0550) and says so on its function, and
   * the column loses zdm's ownership mark, so it is the schema's now and no rollback drops it.
   */
  private static void keepDerivation(Connection connection, DualWriteRequest request, DualWriteTrigger trigger)
      throws SQLException {
    StatementRunner.executeAll(connection,
        "COMMENT ON FUNCTION %s() IS %s".formatted(trigger.function(), Identifiers.literal(
            "zdm migration " + request.migrationId() + ": keeps " + request.table().displayName() + "."
                + request.newColumn() + " = " + request.forward() + " on every INSERT and UPDATE that"
                + " does not set it. Part of the schema: drop trigger " + trigger.name()
                + " only once no application writes rows without the column.")));
    handOverComment(connection, request, request.newColumn(), null);
  }

  /**
   * In the cut-over's transaction, before the old column goes: its DEFAULT becomes the new
   * column's (not earlier: during dual-write a default on the new column would hide from the
   * trigger that the old application's INSERT left it unset), and a sequence it owns (serial)
   * becomes the new column's, so dropping the old column does not drop it.
   */
  private static void moveDefault(Connection connection, DualWriteRequest request) throws SQLException {
    Optional<String> oldDefault = columnDefault(connection, request.table(), request.oldColumn());
    if (oldDefault.isEmpty()) {
      return;
    }
    String table = Identifiers.quote(request.table());
    StatementRunner.executeAll(connection, "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s".formatted(
        table, Identifiers.quote(request.newColumn()), oldDefault.get()));
    try (var statement = connection.prepareStatement("SELECT pg_get_serial_sequence(?, ?)")) {
      statement.setString(1, table);
      statement.setString(2, request.oldColumn());
      try (var row = statement.executeQuery()) {
        if (row.next() && row.getString(1) != null) {
          // pg_get_serial_sequence returns the name quoted as SQL needs it.
          StatementRunner.executeAll(connection, "ALTER SEQUENCE %s OWNED BY %s.%s".formatted(
              row.getString(1), table, Identifiers.quote(request.newColumn())));
        }
      }
    }
  }

  private static Optional<String> columnDefault(Connection connection, TableRef table, String column)
      throws SQLException {
    try (var statement = connection.prepareStatement(
        "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a"
            + " ON a.attrelid = d.adrelid AND a.attnum = d.adnum"
            + " WHERE d.adrelid = to_regclass(?) AND a.attname = ? AND a.attgenerated = ''")) {
      statement.setString(1, Identifiers.quote(table));
      statement.setString(2, column);
      try (var row = statement.executeQuery()) {
        return row.next() ? Optional.ofNullable(row.getString(1)) : Optional.empty();
      }
    }
  }

  private static boolean ownsColumn(Catalog catalog, DualWriteRequest request) throws SQLException {
    return catalog.columnComment(request.table(), request.newColumn())
        .map(comment -> comment.equals(ownerComment(request)))
        .orElse(false);
  }

  private static String ownerComment(DualWriteRequest request) {
    return "zdm migration " + request.migrationId() + ": dual-write column (" + request.describe() + ")";
  }

  /**
   * The new column's owner comment gives way to the old column's comment (or none). Only while it
   * is still zdm's: a retry after the cut-over committed leaves the comment it set alone.
   */
  private static void handOverComment(Connection connection, DualWriteRequest request, String column,
      String oldComment) throws SQLException {
    Optional<String> now = new Catalog(connection).columnComment(request.table(), column);
    if (now.isPresent() && now.get().equals(ownerComment(request))) {
      StatementRunner.executeAll(connection, "COMMENT ON COLUMN %s.%s IS %s".formatted(
          Identifiers.quote(request.table()), Identifiers.quote(column),
          oldComment == null ? "NULL" : Identifiers.literal(oldComment)));
    }
  }

  private static ApplicationFailure refusal(DualWriteRequest request, String message) {
    return ApplicationFailure.newNonRetryableFailure(
        "[" + request.migrationId() + "] " + message, ZdmFailures.INVALID_MIGRATION);
  }

  private static StatementContext context(DualWriteRequest request, String description) {
    return context(request, description, request.options().statementTimeout());
  }

  private static StatementContext context(DualWriteRequest request, String description, Duration statementTimeout) {
    return StatementContext.forStep(request.migrationId(), description, request.options())
        .withStatementTimeout(statementTimeout);
  }

}
