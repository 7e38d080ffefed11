package dev.zdm.model;

import java.util.Objects;

/** A table named by schema and name, both unquoted as PostgreSQL stores them. */
public record TableRef(String schema, String name) {
  public static final String DEFAULT_SCHEMA = "public";

  public TableRef {
    Objects.requireNonNull(name, "table name");
    schema = schema == null || schema.isBlank() ? DEFAULT_SCHEMA : schema;
  }

  public static TableRef of(String name) {
    return new TableRef(DEFAULT_SCHEMA, name);
  }

  /** For messages and search attributes; never for SQL (SQL quotes through the identifier helper). */
  public String displayName() {
    return DEFAULT_SCHEMA.equals(schema) ? name : schema + "." + name;
  }

  @Override
  public String toString() {
    return displayName();
  }
}
