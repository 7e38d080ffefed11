package dev.zdm.engine.dualwrite;

import dev.zdm.dualwrite.DualWriteKind;
import dev.zdm.dualwrite.DualWritePlan;
import dev.zdm.dualwrite.DualWriteRequest;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.Identifiers;
import java.util.List;

/**
 * The PL/pgSQL that keeps the old and the new column in sync, in both directions, on INSERT and
 * UPDATE (for a derived column: keeps it computed from the row). The guide's sketch was not
 * PostgreSQL and only copied into NULLs, so an UPDATE of one column left the other stale; this
 * one compares OLD and NEW to see which column the writer changed and carries that change over.
 */
final class DualWriteTrigger {
  /**
   * PostgreSQL fires BEFORE triggers of the same event in name order (byte order): {@code ~}
   * sorts after every name that starts with a letter, digit or {@code _}, so an application's
   * trigger that rewrites the old column has run before zdm's copies it.
   */
  static final String NAME_PREFIX = "~zdm_dw_";
  /**
   * Releases up to 0.2 used this prefix, which sorts before lowercase letters: zdm's trigger ran
   * first and copied the value another trigger was about to change. A run that installed it is
   * still cleaned up: the drops name both.
   */
  static final String LEGACY_NAME_PREFIX = "_zdm_dw_";
  /**
   * A derived column's trigger stays in the schema: its name says what it does (decision 0550),
   * and sorts after the application's BEFORE triggers like the dual-write one, so a source column
   * one of them rewrites is read as written.
   */
  static final String DERIVED_PREFIX = "~zdm_derive_";

  private final DualWritePlan plan;
  private final DualWriteRequest request;

  DualWriteTrigger(DualWritePlan plan) {
    this.plan = plan;
    this.request = plan.request();
  }

  /** Trigger and function share this name (the function lives in the table's schema). */
  String name() {
    return Identifiers.generatedName(
        request.kind() == DualWriteKind.DERIVED_COLUMN ? DERIVED_PREFIX : NAME_PREFIX,
        request.table().name(), request.newColumn());
  }

  /** The name a run planned by release 0.2 or earlier installed its trigger and function under. */
  String legacyName() {
    return Identifiers.generatedName(LEGACY_NAME_PREFIX, request.table().name(), request.newColumn());
  }

  String function() {
    return function(name());
  }

  private String function(String name) {
    return Identifiers.quote(request.table().schema()) + "." + Identifiers.quote(name);
  }

  String createFunction() {
    return """
        CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql %sAS $zdm$
        %sBEGIN
        %s
          RETURN NEW;
        END
        $zdm$
        """
        .formatted(function(),
            // A derived value must not depend on the writer's search_path: the trigger resolves
            // names as zdm's backfill and verification did.
            request.kind() == DualWriteKind.DERIVED_COLUMN ? "SET search_path FROM CURRENT " : "",
            request.kind() == DualWriteKind.DERIVED_COLUMN || request.kind() == DualWriteKind.ADD_NOT_NULL
                ? "#variable_conflict use_column\n" : "",
            switch (request.kind()) {
              case ADD_NOT_NULL -> fillBody();
              case DERIVED_COLUMN -> derivedBody();
              default -> syncBody();
            });
  }

  String createTrigger() {
    return "CREATE TRIGGER %s BEFORE INSERT OR UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION %s()"
        .formatted(Identifiers.quote(name()), Identifiers.quote(request.table()), function());
  }

  /**
   * Drops trigger and function under today's name and under the legacy one: a run planned by an
   * earlier release installed them under that, and its undo or cut-over must not leave them.
   */
  String[] drop() {
    String table = Identifiers.quote(request.table());
    return new String[] {
        "DROP TRIGGER IF EXISTS %s ON %s".formatted(Identifiers.quote(name()), table),
        "DROP TRIGGER IF EXISTS %s ON %s".formatted(Identifiers.quote(legacyName()), table),
        "DROP FUNCTION IF EXISTS %s()".formatted(function()),
        "DROP FUNCTION IF EXISTS %s()".formatted(function(legacyName()))};
  }

  /**
   * A derived column's trigger fires on INSERT and on an UPDATE that names one of {@code sources}
   * (the columns its expression reads): an UPDATE of other columns leaves the value right, so it
   * need not pay for the trigger. Empty sources (the expression reads the whole row, or no column
   * could be told apart) fire it on every UPDATE.
   */
  String createTrigger(List<String> sources) {
    if (sources.isEmpty()) {
      return createTrigger();
    }
    String columns = String.join(", ", sources.stream().map(Identifiers::quote).toList());
    return "CREATE TRIGGER %s BEFORE INSERT OR UPDATE OF %s ON %s FOR EACH ROW EXECUTE FUNCTION %s()"
        .formatted(Identifiers.quote(name()), columns, Identifiers.quote(request.table()), function());
  }

  /**
   * DERIVED_COLUMN: the column is recomputed from the row being written unless the writer set it
   * itself (an INSERT that gives a value, an UPDATE that changes it). The expression is evaluated
   * over {@code SELECT NEW.*} under the table's name, so its column references (qualified or not)
   * resolve exactly as in the file's UPDATE, without rewriting the user's SQL; use_column keeps a
   * column named like a PL/pgSQL variable (found, new) a column.
   */
  private String derivedBody() {
    String newCol = "NEW." + Identifiers.quote(request.newColumn());
    String oldCol = "OLD." + Identifiers.quote(request.newColumn());
    return """
          IF TG_OP = 'INSERT' AND %1$s IS NOT NULL THEN
            RETURN NEW;
          END IF;
          IF TG_OP = 'UPDATE' AND %1$s IS DISTINCT FROM %2$s THEN
            RETURN NEW;
          END IF;
          %1$s := %3$s;"""
        .formatted(newCol, oldCol, derivation());
  }

  /** The derived value of the row in NEW, as a PL/pgSQL expression. */
  String derivation() {
    return "(SELECT CAST((%s) AS %s) FROM (SELECT NEW.*) AS %s)"
        .formatted(plan.forward(), plan.newType(), Identifiers.quote(request.table().name()));
  }

  /**
   * Both directions. A writer that sets only the new column (the new application) gets the old
   * one derived from it, unless the new value is just what the old one already maps to (the
   * backfill's own write, which must not rewrite old through a lossy inverse); a writer that sets
   * the old column (the old application) gets the new one derived; a writer that sets neither (an
   * UPDATE of other columns) fills the new column only where it is still empty. It never rewrites
   * a new value from the old one on an unrelated update: where the inverse loses information
   * (varchar(10) from text), that would replace what the new application wrote with its
   * truncated round trip.
   */
  private String syncBody() {
    String oldCol = "NEW." + Identifiers.quote(request.oldColumn());
    String newCol = "NEW." + Identifiers.quote(request.newColumn());
    String oldBefore = "OLD." + Identifiers.quote(request.oldColumn());
    String newBefore = "OLD." + Identifiers.quote(request.newColumn());
    String forward = expression(plan.forward(), "NEW.");
    String inverse = expression(plan.inverse(), "NEW.");
    return """
          IF TG_OP = 'INSERT' THEN
            IF %2$s IS NULL AND %1$s IS NOT NULL THEN
              %2$s := %5$s;
            ELSIF %1$s IS NULL AND %2$s IS NOT NULL THEN
              %1$s := %6$s;
            END IF;
          ELSIF %2$s IS DISTINCT FROM %4$s AND %1$s IS NOT DISTINCT FROM %3$s THEN
            IF %2$s IS DISTINCT FROM %5$s THEN
              %1$s := %6$s;
            END IF;
          ELSIF %1$s IS DISTINCT FROM %3$s THEN
            %2$s := %5$s;
          ELSIF %2$s IS NULL THEN
            %2$s := %5$s;
          END IF;"""
        .formatted(oldCol, newCol, oldBefore, newBefore, forward, inverse);
  }

  /**
   * ADD_NOT_NULL: a writer that leaves the new column NULL (the old application) gets it filled.
   * The fill expression may name other columns of the row ({@code -- @metadata {"backfill":
   * "quantity * unit_price"}}), so it is evaluated over the row being written, as the backfill
   * evaluates it over the table; assigned bare, those names were PL/pgSQL variables that do not
   * exist and every INSERT failed.
   */
  private String fillBody() {
    String newCol = "NEW." + Identifiers.quote(request.newColumn());
    return """
          IF %1$s IS NULL THEN
            %1$s := (SELECT CAST((%2$s) AS %3$s) FROM (SELECT NEW.*) AS %4$s);
          END IF;"""
        .formatted(newCol, expression(plan.forward(), "NEW."), plan.newType(),
            Identifiers.quote(request.table().name()));
  }

  /** The request's expression with {@code {old}}/{@code {new}} as quoted columns of {@code row}. */
  String expression(String template, String row) {
    String result = template;
    if (request.oldColumn() != null) {
      result = result.replace(DualWriteRequest.OLD, row + Identifiers.quote(request.oldColumn()));
    }
    return result.replace(DualWriteRequest.NEW, row + Identifiers.quote(request.newColumn()));
  }
}
