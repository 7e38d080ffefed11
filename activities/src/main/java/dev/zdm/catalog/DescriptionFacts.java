package dev.zdm.catalog;

import dev.zdm.catalog.TableDescription.Column;
import dev.zdm.catalog.TableDescription.Grant;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A description as flat facts, {@code "<object>"} or {@code "<object>: <aspect>"} to its value,
 * e.g. {@code "index orders_customer_idx" -> "CREATE INDEX ..."}. Flat facts are what a snapshot
 * stores and what the fidelity check compares: a lost index is a missing key, an altered default
 * a changed value, whatever the record tree looks like in a later release.
 */
public final class DescriptionFacts {
  private DescriptionFacts() {}

  public static SortedMap<String, String> of(TableDescription table) {
    SortedMap<String, String> facts = new TreeMap<>();
    facts.put("table: kind", table.kind());
    facts.put("table: owner", table.owner());
    put(facts, "table: comment", table.comment());
    facts.put("table: row level security", (table.rowSecurity() ? "enabled" : "disabled")
        + (table.forceRowSecurity() ? ", forced" : ""));
    if (!table.reloptions().isEmpty()) {
      facts.put("table: options", String.join(", ", table.reloptions()));
    }
    facts.put("table: replica identity", table.replicaIdentity()
        + (table.replicaIdentityIndex() == null ? "" : " using index " + table.replicaIdentityIndex()));
    put(facts, "table: partition key", table.partitionKey());
    put(facts, "table: partition of", table.partitionOf());
    table.partitions().forEach(p -> facts.put("partition " + p, "attached"));
    table.grants().forEach(g -> facts.put(grantKey("table", g), grantValue(g)));
    for (Column column : table.columns()) {
      String object = "column " + column.name();
      facts.put(object, columnValue(column));
      put(facts, object + ": comment", column.comment());
      if (column.statisticsTarget() >= 0) {
        facts.put(object + ": statistics target", String.valueOf(column.statisticsTarget()));
      }
      put(facts, object + ": owned sequence", column.ownedSequence());
      column.grants().forEach(g -> facts.put(grantKey(object, g), grantValue(g)));
    }
    table.indexes().forEach(i -> {
      facts.put("index " + i.name(), i.definition() + (i.valid() ? "" : " (INVALID)"));
      put(facts, "index " + i.name() + ": comment", i.comment());
    });
    table.constraints().forEach(c -> {
      facts.put("constraint " + c.name(), c.definition());
      put(facts, "constraint " + c.name() + ": comment", c.comment());
    });
    table.incomingForeignKeys().forEach(f -> facts.put(incomingKey(f), f.definition()));
    table.triggers().forEach(t ->
        facts.put("trigger " + t.name(), t.definition() + ("O".equals(t.enabled()) ? "" : " (enabled " + t.enabled() + ")")));
    table.rules().forEach(r -> facts.put("rule " + r.name(), r.definition()));
    table.policies().forEach(p -> facts.put("policy " + p.name(), (p.permissive() ? "PERMISSIVE" : "RESTRICTIVE")
        + " FOR " + p.commandKeyword() + " TO " + String.join(", ", p.roles())
        + (p.using() == null ? "" : " USING (" + p.using() + ")")
        + (p.withCheck() == null ? "" : " WITH CHECK (" + p.withCheck() + ")")));
    table.publications().forEach(p -> facts.put("publication " + p.name(), p.membership()));
    table.dependentViews().forEach(v -> facts.put(("m".equals(v.kind()) ? "materialized view " : "view ") + v.name(),
        "reads " + String.join(", ", v.columns())));
    table.statistics().forEach(s -> facts.put("statistics " + s.name(), s.definition()));
    return facts;
  }

  /** The objects (as fact keys name them) that use the column: dropping it drops them too. */
  public static Set<String> objectsUsing(TableDescription table, String column) {
    Set<String> objects = new TreeSet<>();
    table.indexes().stream().filter(i -> i.columns().contains(column)).forEach(i -> objects.add("index " + i.name()));
    table.constraints().stream().filter(c -> c.columns().contains(column))
        .forEach(c -> objects.add("constraint " + c.name()));
    table.incomingForeignKeys().stream().filter(f -> f.referencedColumns().contains(column))
        .forEach(f -> objects.add(incomingKey(f)));
    table.dependentViews().stream().filter(v -> v.columns().contains(column))
        .forEach(v -> objects.add(("m".equals(v.kind()) ? "materialized view " : "view ") + v.name()));
    return objects;
  }

  private static String incomingKey(TableDescription.IncomingForeignKey key) {
    return "foreign key " + key.name() + " of " + key.table();
  }

  /** The object a fact key is about: the part before {@code ": "}. */
  public static String object(String key) {
    int colon = key.indexOf(": ");
    return colon < 0 ? key : key.substring(0, colon);
  }

  private static String columnValue(Column column) {
    StringBuilder value = new StringBuilder(column.type());
    if (column.collation() != null) {
      value.append(" COLLATE ").append(column.collation());
    }
    if (!column.generated().isEmpty()) {
      value.append(" GENERATED ALWAYS AS (").append(column.defaultExpression()).append(") STORED");
    } else if (column.defaultExpression() != null) {
      value.append(" DEFAULT ").append(column.defaultExpression());
    }
    if (!column.identity().isEmpty()) {
      value.append("a".equals(column.identity()) ? " GENERATED ALWAYS AS IDENTITY" : " GENERATED BY DEFAULT AS IDENTITY");
    }
    if (column.notNull()) {
      value.append(" NOT NULL");
    }
    return value.toString();
  }

  private static String grantKey(String object, Grant grant) {
    return object + ": grant " + grant.privilege() + " to " + grant.grantee();
  }

  private static String grantValue(Grant grant) {
    return grant.grantable() ? "with grant option" : "granted";
  }

  private static void put(Map<String, String> facts, String key, String value) {
    if (value != null) {
      facts.put(key, value);
    }
  }
}
