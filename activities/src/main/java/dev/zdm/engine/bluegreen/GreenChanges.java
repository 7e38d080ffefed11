package dev.zdm.engine.bluegreen;

import dev.zdm.analysis.SqlNames;
import dev.zdm.analysis.SqlSplitter;
import dev.zdm.analysis.SqlStatement;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.Identifiers;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the plan's statements to act on the green copy. Only forms whose target is certain
 * are accepted: {@code ALTER TABLE [IF EXISTS] [ONLY] <table> <actions>} becomes {@code ALTER
 * TABLE <green> <actions>}; {@code VACUUM FULL <table>} needs nothing, since the copy is freshly
 * written. Anything else is refused with the reason.
 */
final class GreenChanges {
  private static final String IDENT = "(?:\"(?:[^\"]|\"\")+\"|[A-Za-z_][A-Za-z0-9_$]*)";
  private static final Pattern ALTER =
      Pattern.compile(
          "(?is)^\\s*ALTER\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?(?:ONLY\\s+)?(" + IDENT + ")(?:\\s*\\.\\s*("
              + IDENT + "))?\\s+(.+?)\\s*;?\\s*$");
  private static final Pattern VACUUM =
      Pattern.compile(
          "(?is)^\\s*VACUUM\\s*(?:\\(\\s*FULL\\s*\\)|FULL)\\s+(" + IDENT + ")(?:\\s*\\.\\s*(" + IDENT
              + "))?\\s*;?\\s*$");
  private static final Pattern REFUSED_ACTION = Pattern.compile("(?is)^(RENAME|SET\\s+SCHEMA|ATTACH|DETACH)\\b.*");

  private GreenChanges() {}

  /** The statements to run against {@code green}; throws IllegalArgumentException with the reason. */
  static List<String> rewrite(TableRef table, TableRef green, List<String> changes) {
    List<String> result = new ArrayList<>();
    for (String written : changes) {
      String change = single(written);
      Matcher vacuum = VACUUM.matcher(change);
      if (vacuum.matches()) {
        requireTable(table, vacuum.group(1), vacuum.group(2), change);
        continue; // the green copy is written afresh: it is as compact as VACUUM FULL would make it
      }
      Matcher alter = ALTER.matcher(change);
      if (!alter.matches()) {
        throw new IllegalArgumentException("blue-green applies only `ALTER TABLE " + table.displayName()
            + " ...` (or `VACUUM FULL`) to the green copy, not: " + change.trim());
      }
      requireTable(table, alter.group(1), alter.group(2), change);
      String actions = alter.group(3);
      if (REFUSED_ACTION.matcher(actions).matches()) {
        throw new IllegalArgumentException("blue-green cannot rename, move or (de)partition the green copy: "
            + change.trim());
      }
      result.add("ALTER TABLE " + Identifiers.quote(green) + " " + actions);
    }
    return result;
  }

  /** The one statement of {@code written}, as the splitter sees it (comments and quotes respected). */
  private static String single(String written) {
    List<SqlStatement> statements;
    try {
      statements = new SqlSplitter().split("blue-green change", written).statements();
    } catch (RuntimeException invalid) {
      throw new IllegalArgumentException("a change is not valid SQL (" + invalid.getMessage() + "): " + written.trim());
    }
    if (statements.size() != 1) {
      throw new IllegalArgumentException("one change must hold exactly one statement, not " + statements.size()
          + ": " + written.trim());
    }
    return statements.get(0).sql();
  }

  private static void requireTable(TableRef table, String first, String second, String change) {
    Optional<String> schema = second == null ? Optional.empty() : Optional.of(unquote(first));
    String name = unquote(second == null ? first : second);
    boolean same = name.equals(table.name()) && schema.map(table.schema()::equals).orElse(true);
    if (!same) {
      throw new IllegalArgumentException("the change names another table than " + table.displayName()
          + ": " + change.trim());
    }
  }

  private static String unquote(String identifier) {
    return SqlNames.normalize(identifier);
  }
}
