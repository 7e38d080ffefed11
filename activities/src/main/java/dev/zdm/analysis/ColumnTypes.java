package dev.zdm.analysis;

import dev.zdm.analysis.ActionDetail.TypeChange;
import dev.zdm.model.TableRef;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the analyzer knows of column types: learnt from CREATE TABLE / ADD COLUMN in the files it
 * read (a directory is read in version order), or from the database catalog. Used to tell a
 * binary-coercible ALTER COLUMN TYPE (varchar widening: no rewrite) from one that rewrites.
 * One instance per analysis run; not shared between threads.
 */
public final class ColumnTypes {
  private static final Pattern SIZED = Pattern.compile("([a-z ]+?)\\s*(?:\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?\\))?");
  private final Map<TableRef, Map<String, String>> types = new HashMap<>();
  private final java.util.Set<TableRef> createdInRun = new java.util.HashSet<>();
  private final ColumnTypeSource catalog;
  private final Map<TableRef, Boolean> partitionedTables = new HashMap<>();
  private final java.util.Set<String> notNullColumns = new java.util.HashSet<>();
  private boolean sessionInUtc;

  /** Types learnt from the migrations only. */
  public ColumnTypes() {
    this(ColumnTypeSource.NONE);
  }

  /** Types learnt from the migrations, then from {@code catalog} for columns they do not define. */
  public ColumnTypes(ColumnTypeSource catalog) {
    this.catalog = catalog;
  }

  /** A table created by the migrations, partitioned (PARTITION BY) or not. */
  public void rememberPartitioned(TableRef table, boolean partitioned) {
    partitionedTables.put(table, partitioned);
  }

  /** Whether the table is partitioned, from the migrations read or the catalog; empty if unknown. */
  public java.util.Optional<Boolean> isPartitioned(TableRef table) {
    Boolean learnt = partitionedTables.get(table);
    if (learnt != null || table == null) {
      return java.util.Optional.ofNullable(learnt);
    }
    return catalog.isPartitioned(table);
  }

  /**
   * The migration's session TimeZone is UTC (a {@code SET TimeZone = 'UTC'} earlier in the file):
   * timestamp and timestamptz are then binary compatible (PostgreSQL 12+). Reset for each file.
   */
  public void sessionInUtc(boolean utc) {
    sessionInUtc = utc;
  }

  public boolean sessionInUtc() {
    return sessionInUtc;
  }

  /** Whether an index covers the column, from the catalog; empty when unknown. */
  public java.util.Optional<Boolean> isIndexed(TableRef table, String column) {
    return table == null || createdInRun.contains(table) ? java.util.Optional.empty()
        : catalog.isIndexed(table, column);
  }

  /**
   * True for timestamp <-> timestamptz: catalog-only in a UTC session, but the column's indexes
   * are rebuilt (their operator class changes), which reads the whole table.
   */
  public boolean rebuildsIndexes(TableRef table, String column, TypeChange change) {
    String old = typeOf(table, column);
    if (old == null) {
      return false;
    }
    String from = old.replaceAll("\\(\\d+\\)", "");
    String to = normalize(change.newType()).replaceAll("\\(\\d+\\)", "");
    return !from.equals(to) && (from.equals("timestamp") || from.equals("timestamptz"))
        && (to.equals("timestamp") || to.equals("timestamptz"));
  }

  /** Whether a column is NOT NULL, as learnt from the migrations read so far. */
  public void rememberNotNull(TableRef table, String column, boolean notNull) {
    if (notNull) {
      notNullColumns.add(table + "\u0000" + column);
    } else {
      notNullColumns.remove(table + "\u0000" + column);
    }
  }

  /** True when the column is known to be NOT NULL already (SET NOT NULL is then a no-op). */
  public boolean isNotNull(TableRef table, String column) {
    return notNullColumns.contains(table + "\u0000" + column)
        || (table != null && !createdInRun.contains(table) && catalog.isNotNull(table, column));
  }

  /** A table renamed: what was learnt of its columns moves to the new name. */
  public void renameTable(TableRef from, TableRef to) {
    Map<String, String> columns = types.remove(from);
    if (columns != null) {
      types.put(to, columns);
    }
    String prefix = from + "\u0000";
    for (String key : java.util.List.copyOf(notNullColumns)) {
      if (key.startsWith(prefix)) {
        notNullColumns.remove(key);
        notNullColumns.add(to + "\u0000" + key.substring(prefix.length()));
      }
    }
    Boolean partitioned = partitionedTables.remove(from);
    if (partitioned != null) {
      partitionedTables.put(to, partitioned);
    }
    if (createdInRun.remove(from)) {
      createdInRun.add(to);
    }
  }

  /** A column renamed: what is known of it moves to the new name. */
  public void rename(TableRef table, String from, String to) {
    Map<String, String> columns = types.get(table);
    String type = columns == null ? null : columns.remove(from);
    if (type == null && !createdInRun.contains(table)) {
      type = catalog.typeOf(table, from).map(ColumnTypes::normalize).orElse(null);
    }
    if (type != null) {
      types.computeIfAbsent(table, t -> new HashMap<>()).put(to, type);
    }
    boolean notNull = notNullColumns.remove(table + "\u0000" + from);
    rememberNotNull(table, to, notNull);
  }

  /** A column dropped: nothing is known of a column of that name any more. */
  public void forgetColumn(TableRef table, String column) {
    Map<String, String> columns = types.get(table);
    if (columns != null) {
      columns.remove(column);
    }
    notNullColumns.remove(table + "\u0000" + column);
  }

  public void remember(TableRef table, String column, String type) {
    types.computeIfAbsent(table, t -> new HashMap<>()).put(column, normalize(type));
  }

  /**
   * A table (re)created by the migrations: its columns are the ones they define, whatever the
   * catalog says of an older table of that name.
   */
  public void forgetTable(TableRef table) {
    types.remove(table);
    createdInRun.add(table);
  }

  /** The known type, normalized (e.g. {@code varchar(20)}), or null. */
  public String typeOf(TableRef table, String column) {
    Map<String, String> columns = types.get(table);
    String learnt = columns == null ? null : columns.get(column);
    if (learnt != null || table == null || createdInRun.contains(table)) {
      return learnt;
    }
    return catalog.typeOf(table, column).map(ColumnTypes::normalize).orElse(null);
  }

  /**
   * True when PostgreSQL can change the type without touching the rows: same type, varchar/varbit
   * widening or to unbounded, varchar to text, numeric precision widening with the same scale,
   * cidr to inet. Unknown current type or a USING clause: false (assume the rewrite).
   */
  public boolean isBinaryCoercible(TableRef table, String column, TypeChange change) {
    String old = typeOf(table, column);
    if (old == null || change.using() != null) {
      return false;
    }
    String target = normalize(change.newType());
    if (old.equals(target)) {
      return true;
    }
    Matcher from = SIZED.matcher(old);
    Matcher to = SIZED.matcher(target);
    if (!from.matches() || !to.matches()) {
      return false;
    }
    String fromBase = from.group(1).strip();
    String toBase = to.group(1).strip();
    if ((fromBase.equals("varchar") || fromBase.equals("text")) && toBase.equals("text")) {
      return true;
    }
    if ((fromBase.equals("varchar") && toBase.equals("varchar"))
        || (fromBase.equals("varbit") && toBase.equals("varbit"))
        || (fromBase.equals("text") && toBase.equals("varchar"))) {
      return to.group(2) == null
          || (from.group(2) != null && Integer.parseInt(to.group(2)) >= Integer.parseInt(from.group(2)));
    }
    if (fromBase.equals("numeric") && toBase.equals("numeric")) {
      if (to.group(2) == null) {
        return true;
      }
      String fromScale = from.group(3) == null ? "0" : from.group(3);
      String toScale = to.group(3) == null ? "0" : to.group(3);
      return from.group(2) != null && fromScale.equals(toScale)
          && Integer.parseInt(to.group(2)) >= Integer.parseInt(from.group(2));
    }
    if (sessionInUtc && Objects.equals(from.group(2), to.group(2))
        && (fromBase.equals("timestamp") && toBase.equals("timestamptz")
            || fromBase.equals("timestamptz") && toBase.equals("timestamp"))) {
      return true;
    }
    return fromBase.equals("cidr") && toBase.equals("inet");
  }

  /**
   * The current types from which a change to {@code newType} is catalog-only, in words ("varchar(m)
   * with m ≤ 100"), or null when only the same type would be (int to bigint always rewrites).
   */
  public static String coercibleFrom(String newType) {
    Matcher to = SIZED.matcher(normalize(newType));
    if (!to.matches()) {
      return null;
    }
    String base = to.group(1).strip();
    String size = to.group(2);
    String scale = to.group(3) == null ? "0" : to.group(3);
    return switch (base) {
      case "varchar" -> size == null ? "varchar, varchar(m) or text"
          : "varchar(m) with m ≤ " + size;
      case "text" -> "varchar, varchar(m) or text";
      case "varbit" -> size == null ? "varbit or varbit(m)" : "varbit(m) with m ≤ " + size;
      case "numeric" -> size == null ? "numeric or numeric(p, s)"
          : "numeric(p, " + scale + ") with p ≤ " + size;
      case "inet" -> "cidr or inet";
      default -> null;
    };
  }

  /** Lower case, single spaces, SQL-standard spellings folded to PostgreSQL's short names. */
  static String normalize(String type) {
    String t = type.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").replace(" (", "(").strip();
    t = t.replace("character varying", "varchar").replace("bit varying", "varbit")
        .replace("decimal", "numeric")
        // format_type() spellings, as the catalog reports them
        .replaceAll("^(timestamp|time)(\\(\\d+\\))? without time zone$", "$1$2")
        .replaceAll("^timestamp(\\(\\d+\\))? with time zone$", "timestamptz$1")
        .replaceAll("^time(\\(\\d+\\))? with time zone$", "timetz$1")
        .replaceAll("^character\\(", "char(");
    return switch (t) {
      case "int", "int4" -> "integer";
      case "int8" -> "bigint";
      case "float8", "double precision" -> "float8";
      case "character", "char" -> "char(1)";
      case "int2" -> "smallint";
      case "bool" -> "boolean";
      default -> t;
    };
  }
}
