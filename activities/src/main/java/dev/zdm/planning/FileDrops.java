package dev.zdm.planning;

import dev.zdm.analysis.Action;
import dev.zdm.analysis.ActionDetail.ConstraintName;
import dev.zdm.analysis.Finding;
import dev.zdm.analysis.StatementAnalysis;
import dev.zdm.model.TableRef;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a migration file has dropped so far, in the names a {@code DropTableStep} compares with the
 * catalog: a view or foreign key that points at a table may stay if the file drops it first.
 */
final class FileDrops {
  private static final Pattern DROP_VIEW = Pattern.compile(
      "(?is)^\\s*drop\\s+(?:materialized\\s+)?view\\s+(?:if\\s+exists\\s+)?(.+?)(?:\\s+(?:cascade|restrict))?\\s*;?\\s*$");

  private final List<String> dropped = new ArrayList<>();

  /** Everything dropped by the statements recorded so far. */
  List<String> soFar() {
    return List.copyOf(dropped);
  }

  void add(String relationOrConstraint) {
    dropped.add(relationOrConstraint);
  }

  void record(StatementAnalysis statement) {
    for (Finding finding : statement.findings()) {
      Action action = finding.action();
      switch (action.kind()) {
        case DROP_TABLE -> dropped.add(action.table().displayName());
        case DROP_CONSTRAINT -> {
          if (action.detail() instanceof ConstraintName name) {
            dropped.add(action.table().displayName() + "." + name.name());
          }
        }
        default -> {}
      }
    }
    Matcher view = DROP_VIEW.matcher(statement.sql());
    if (view.matches()) {
      for (String name : view.group(1).split(",")) {
        dropped.add(relation(name.strip()).displayName());
      }
    }
  }

  /** {@code [schema.]name}, folded as PostgreSQL folds unquoted names (ASCII only) or unquoted. */
  private static TableRef relation(String qualified) {
    List<String> parts = new ArrayList<>();
    Matcher part = Pattern.compile("\"((?:[^\"]|\"\")*)\"|([^.\\s]+)").matcher(qualified);
    while (part.find()) {
      parts.add(part.group(1) != null ? part.group(1).replace("\"\"", "\"") : fold(part.group(2)));
    }
    return parts.size() >= 2 ? new TableRef(parts.get(parts.size() - 2), parts.get(parts.size() - 1))
        : TableRef.of(parts.isEmpty() ? qualified : parts.get(0));
  }

  private static String fold(String unquoted) {
    StringBuilder folded = new StringBuilder(unquoted.length());
    for (char c : unquoted.toCharArray()) {
      folded.append(c >= 'A' && c <= 'Z' ? Character.toLowerCase(c) : c);
    }
    return folded.toString();
  }
}
