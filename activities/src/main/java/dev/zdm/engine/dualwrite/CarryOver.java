package dev.zdm.engine.dualwrite;

import dev.zdm.catalog.TableDescription;
import dev.zdm.dualwrite.DualWriteRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the cut-over would drop along with the old column, sorted into what dual-write carries
 * over to the new column ({@link CarriedObject}s, column grants and statistics target here; the
 * comment and DEFAULT at the cut-over) and what it refuses, each refusal naming the object and what to do.
 */
/**
 * @param statisticsTarget the old column's attstattarget, -1 for the default
 */
record CarryOver(List<CarriedObject> objects, List<TableDescription.Grant> grants, int statisticsTarget,
    List<String> refusals) {
  CarryOver {
    objects = List.copyOf(objects);
    grants = List.copyOf(grants);
    refusals = List.copyOf(refusals);
  }

  static CarryOver of(TableDescription table, DualWriteRequest request) {
    String old = request.oldColumn();
    String target = request.newColumn();
    List<CarriedObject> objects = new ArrayList<>();
    List<TableDescription.Grant> grants = new ArrayList<>();
    List<String> refusals = new ArrayList<>();
    TableDescription.Column column = table.column(old).orElseThrow();
    grants.addAll(column.grants());
    if (!column.identity().isEmpty()) {
      refusals.add("the identity of " + old + " (a new column cannot take over its sequence while the old"
          + " one still draws from it): change it in a maintenance window with --force, or rebuild the table"
          + " with blue-green");
    }
    if (!column.generated().isEmpty()) {
      refusals.add(old + " is a generated column: drop it and add the new one as a generated column instead");
    }
    for (TableDescription.Constraint constraint : table.constraints()) {
      if (!constraint.columns().contains(old) && !(constraint.type().equals("f")
          && referencesOwnColumn(table, constraint.definition(), old))) {
        continue;
      }
      String name = constraint.name();
      switch (constraint.type()) {
        case "p" -> refusals.add("primary key " + name + " (see the primary-key refusal)");
        case "u" -> indexOf(table, name).ifPresentOrElse(
            index -> objects.add(new CarriedObject.Unique(name, carriedIndex(request, index, old, target),
                constraint.deferrable() ? constraint.initiallyDeferred() ? " DEFERRABLE INITIALLY DEFERRED"
                    : " DEFERRABLE" : "", constraint.comment())),
            () -> refusals.add("constraint " + name + " (no index backs it)"));
        case "c" -> objects.add(new CarriedObject.Constraint(name, CarryOverNames.temporary(request, name),
            withoutNotValid(ColumnReferences.rename(constraint.definition(), old, target)),
            constraint.validated(), constraint.comment()));
        case "f" -> {
          if (referencesOwnColumn(table, constraint.definition(), old)) {
            refusals.add("foreign key " + name + " references " + old + " on the same table: drop it in the"
                + " migration file before this change and add it again after it (NOT VALID, then VALIDATE)");
          } else {
            int references = ColumnReferences.keywordOffset(constraint.definition(), "REFERENCES");
            String local = ColumnReferences.rename(constraint.definition().substring(0, references), old, target);
            objects.add(new CarriedObject.Constraint(name, CarryOverNames.temporary(request, name),
                withoutNotValid(local + constraint.definition().substring(references)), constraint.validated(),
                constraint.comment()));
          }
        }
        case "x" -> refusals.add("exclusion constraint " + name + ": dual-write does not carry EXCLUDE"
            + " constraints; drop it in the migration file before this change and add it again after it,"
            + " or rebuild the table with blue-green");
        default -> refusals.add("constraint trigger " + name + ": drop it before this change and create it"
            + " again after it");
      }
    }
    for (TableDescription.Index index : table.indexes()) {
      if (!index.columns().contains(old) || index.primary() || index.constraint() != null) {
        continue; // primary key and constraint indexes: refused or carried with their constraint above
      }
      objects.add(carriedIndex(request, index, old, target));
    }
    table.incomingForeignKeys().stream().filter(key -> key.referencedColumns().contains(old)).forEach(key ->
        refusals.add("foreign key " + key.name() + " of " + key.table() + " references " + old + ": dual-write"
            + " does not change the referencing tables; drop it in the migration file before this change and add"
            + " it again after it (NOT VALID, then VALIDATE CONSTRAINT)"));
    table.dependentViews().stream().filter(view -> view.columns().contains(old)).forEach(view ->
        refusals.add(("m".equals(view.kind()) ? "materialized view " : "view ") + view.name() + " reads " + old
            + ": drop it in the migration file before this change and create it again (on " + target
            + " where it was renamed) after it"));
    for (TableDescription.Column other : table.columns()) {
      if (!other.name().equals(old) && other.defaultExpression() != null
          && ColumnReferences.mentions(other.defaultExpression(), old)) {
        refusals.add("column " + other.name() + " is computed from " + old + ": change its expression first");
      }
    }
    table.policies().stream().filter(p -> mentions(p.using(), old) || mentions(p.withCheck(), old)).forEach(p ->
        refusals.add("policy " + p.name() + " reads " + old + ": drop it before this change and create it"
            + " again after it"));
    table.triggers().stream()
        .filter(t -> !t.name().startsWith(DualWriteTrigger.NAME_PREFIX)
            && !t.name().startsWith(DualWriteTrigger.LEGACY_NAME_PREFIX))
        .filter(t -> ColumnReferences.mentions(t.definition(), old)).forEach(t ->
            refusals.add("trigger " + t.name() + " names " + old + " (UPDATE OF or WHEN): drop it before this"
                + " change and create it again after it"));
    table.rules().stream().filter(r -> ColumnReferences.mentions(r.definition(), old)).forEach(r ->
        refusals.add("rule " + r.name() + " reads " + old + ": drop it before this change and create it"
            + " again after it"));
    table.statistics().stream().filter(s -> ColumnReferences.mentions(s.definition(), old)).forEach(s ->
        refusals.add("statistics " + s.name() + " covers " + old + ": drop it before this change and create"
            + " it again after it"));
    return new CarryOver(objects, grants, column.statisticsTarget(), refusals);
  }

  private static CarriedObject.Index carriedIndex(
      DualWriteRequest request, TableDescription.Index index, String old, String target) {
    int using = ColumnReferences.keywordOffset(index.definition(), "USING");
    String tail = ColumnReferences.rename(index.definition().substring(using), old, target);
    return new CarriedObject.Index(index.name(), CarryOverNames.temporary(request, index.name()), index.unique(),
        tail, index.comment());
  }

  private static Optional<TableDescription.Index> indexOf(TableDescription table, String constraint) {
    return table.indexes().stream().filter(i -> constraint.equals(i.constraint())).findFirst();
  }

  /** A foreign key of the table onto itself whose referenced columns include {@code column}. */
  private static boolean referencesOwnColumn(TableDescription table, String definition, String column) {
    int references = ColumnReferences.keywordOffset(definition, "REFERENCES");
    if (references < 0) {
      return false;
    }
    String target = definition.substring(references);
    String self = table.table().name();
    return ColumnReferences.mentionsName(target, self) && ColumnReferences.mentions(target, column);
  }

  private static boolean mentions(String expression, String column) {
    return expression != null && ColumnReferences.mentions(expression, column);
  }

  private static String withoutNotValid(String definition) {
    return definition.replaceAll("\\s+NOT VALID$", "");
  }
}
