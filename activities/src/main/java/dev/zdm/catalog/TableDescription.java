package dev.zdm.catalog;

import dev.zdm.model.TableRef;
import java.util.List;
import java.util.Optional;

/**
 * Everything a table is, as pg_catalog says it at one moment: what a migration must carry over
 * and what the fidelity check compares. Definitions are PostgreSQL's own renderings
 * (pg_get_indexdef, pg_get_constraintdef, ...), so two descriptions read with the same
 * search_path compare as text.
 *
 * @param kind relkind: {@code r} table, {@code p} partitioned table
 * @param grants the table's privileges; a table never granted anything shows its owner's default
 *     privileges, so the owner's own grants are part of the description
 * @param replicaIdentity relreplident ({@code d}efault, {@code n}othing, {@code f}ull, {@code i}ndex)
 * @param replicaIdentityIndex the index when {@code replicaIdentity} is {@code i}
 * @param partitionKey pg_get_partkeydef of a partitioned table, else null
 * @param partitionOf the parent and bound of a partition, else null
 */
public record TableDescription(
    TableRef table,
    String kind,
    String owner,
    String comment,
    List<Column> columns,
    List<Index> indexes,
    List<Constraint> constraints,
    List<IncomingForeignKey> incomingForeignKeys,
    List<Trigger> triggers,
    List<Rule> rules,
    boolean rowSecurity,
    boolean forceRowSecurity,
    List<Policy> policies,
    List<Grant> grants,
    List<String> reloptions,
    String replicaIdentity,
    String replicaIdentityIndex,
    List<Publication> publications,
    List<DependentView> dependentViews,
    List<ExtendedStatistics> statistics,
    String partitionKey,
    String partitionOf,
    List<String> partitions) {

  public TableDescription {
    columns = List.copyOf(columns);
    indexes = List.copyOf(indexes);
    constraints = List.copyOf(constraints);
    incomingForeignKeys = List.copyOf(incomingForeignKeys);
    triggers = List.copyOf(triggers);
    rules = List.copyOf(rules);
    policies = List.copyOf(policies);
    grants = List.copyOf(grants);
    reloptions = List.copyOf(reloptions);
    publications = List.copyOf(publications);
    dependentViews = List.copyOf(dependentViews);
    statistics = List.copyOf(statistics);
    partitions = List.copyOf(partitions);
  }

  public Optional<Column> column(String name) {
    return columns.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /**
   * @param type format_type's spelling
   * @param collation the column's collation when it differs from its type's default, else null
   * @param identity attidentity: empty, {@code a}lways or {@code d} by default
   * @param generated attgenerated: empty or {@code s}tored
   * @param statisticsTarget attstattarget, -1 for the default
   * @param ownedSequence the sequence this column owns (serial or identity), schema-qualified and quoted
   */
  public record Column(
      String name,
      String type,
      String collation,
      String defaultExpression,
      String identity,
      String generated,
      boolean notNull,
      String comment,
      int statisticsTarget,
      String ownedSequence,
      List<Grant> grants) {
    public Column {
      grants = List.copyOf(grants);
    }
  }

  /**
   * @param definition pg_get_indexdef: method, expressions, opclasses, collations, INCLUDE, predicate
   * @param constraint the constraint the index backs (primary key, UNIQUE, EXCLUDE), else null
   */
  public record Index(
      String name, String definition, boolean valid, boolean primary, boolean unique, String constraint,
      String comment, List<String> columns) {
    public Index {
      columns = List.copyOf(columns);
    }
  }

  /**
   * @param type contype: {@code p}, {@code u}, {@code x}, {@code c}, {@code f}, {@code t}
   * @param definition pg_get_constraintdef, which says NOT VALID and DEFERRABLE itself
   */
  public record Constraint(
      String name, String type, String definition, boolean validated, boolean deferrable,
      boolean initiallyDeferred, String comment, List<String> columns) {
    public Constraint {
      columns = List.copyOf(columns);
    }
  }

  /**
   * A foreign key on another table that references this one.
   *
   * @param referencedColumns this table's columns it references
   */
  public record IncomingForeignKey(
      String table, String name, String definition, boolean validated, List<String> referencedColumns) {
    public IncomingForeignKey {
      referencedColumns = referencedColumns == null ? List.of() : List.copyOf(referencedColumns);
    }
  }

  /** @param enabled tgenabled: {@code O} origin, {@code D} disabled, {@code R} replica, {@code A} always */
  public record Trigger(String name, String definition, String enabled) {}

  public record Rule(String name, String definition) {}

  /** @param command polcmd: {@code *} all, {@code r} SELECT, {@code a} INSERT, {@code w} UPDATE, {@code d} DELETE */
  public record Policy(
      String name, boolean permissive, String command, List<String> roles, String using, String withCheck) {
    public Policy {
      roles = List.copyOf(roles);
    }

    /** The command as CREATE POLICY spells it. */
    public String commandKeyword() {
      return switch (command) {
        case "r" -> "SELECT";
        case "a" -> "INSERT";
        case "w" -> "UPDATE";
        case "d" -> "DELETE";
        default -> "ALL";
      };
    }
  }

  /** @param grantee a role name, or {@code PUBLIC} */
  public record Grant(String grantee, String privilege, boolean grantable) {}

  /** @param membership {@code table} (named in the publication), {@code schema} or {@code all tables} */
  public record Publication(String name, String membership) {}

  /**
   * A view or materialised view whose query reads the table.
   *
   * @param kind relkind: {@code v} view, {@code m} materialised view
   * @param columns the table's columns the view reads
   */
  public record DependentView(String name, String kind, List<String> columns) {
    public DependentView {
      columns = List.copyOf(columns);
    }
  }

  /** CREATE STATISTICS objects on the table. */
  public record ExtendedStatistics(String name, String definition) {}
}
