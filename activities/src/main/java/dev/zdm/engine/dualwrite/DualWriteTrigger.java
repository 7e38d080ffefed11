package dev.zdm.engine.dualwrite;

import dev.zdm.dualwrite.DualWriteKind;
import dev.zdm.dualwrite.DualWritePlan;
import dev.zdm.dualwrite.DualWriteRequest;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.Identifiers;

/**
 * The PL/pgSQL that keeps the old and the new column in sync, in both directions, on INSERT and
 * UPDATE. The guide's sketch was not PostgreSQL and only copied into NULLs, so an UPDATE of one
 * column left the other stale; this one compares OLD and NEW to see which column the writer
 * changed and carries that change over.
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

  private final DualWritePlan plan;
  private final DualWriteRequest request;

  DualWriteTrigger(DualWritePlan plan) {
    this.plan = plan;
    this.request = plan.request();
  }

  /** Trigger and function share this name (the function lives in the table's schema). */
  String name() {
    return Identifiers.generatedName(NAME_PREFIX, request.table().name(), request.newColumn());
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
        CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $zdm$
        BEGIN
        %s
          RETURN NEW;
        END
        $zdm$
        """
        .formatted(function(), request.kind() == DualWriteKind.ADD_NOT_NULL ? fillBody() : syncBody());
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

  /** ADD_NOT_NULL: a writer that leaves the new column NULL (the old application) gets it filled. */
  private String fillBody() {
    String newCol = "NEW." + Identifiers.quote(request.newColumn());
    return """
          IF %1$s IS NULL THEN
            %1$s := %2$s;
          END IF;"""
        .formatted(newCol, expression(plan.forward(), "NEW."));
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
