package dev.zdm.analysis;

import java.util.Set;

/**
 * The words PostgreSQL 12-17 accepts at the start of a command and after CREATE / ALTER / DROP
 * (from the manual's "SQL Commands" reference). A statement that starts otherwise is not
 * PostgreSQL, and the analyzer says so instead of guessing.
 */
final class PostgresCommands {
  private PostgresCommands() {}

  static final Set<String> COMMANDS =
      Set.of(
          "abort", "alter", "analyze", "analyse", "begin", "call", "checkpoint", "close",
          "cluster", "comment", "commit", "copy", "create", "deallocate", "declare", "delete",
          "discard", "do", "drop", "end", "execute", "explain", "fetch", "grant", "import",
          "insert", "listen", "load", "lock", "merge", "move", "notify", "prepare", "reassign",
          "refresh", "reindex", "release", "reset", "revoke", "rollback", "savepoint",
          "security", "select", "set", "show", "start", "table", "truncate", "unlisten",
          "update", "vacuum", "values", "with");

  /** Object types after CREATE, ALTER or DROP (first word; modifiers are skipped before it). */
  static final Set<String> OBJECT_TYPES =
      Set.of(
          "access", "aggregate", "cast", "collation", "conversion", "database", "default",
          "domain", "event", "extension", "foreign", "function", "group", "index", "language",
          "large", "materialized", "operator", "owned", "policy", "procedure", "publication",
          "role", "routine", "rule", "schema", "sequence", "server", "statistics",
          "subscription", "system", "table", "tablespace", "text", "transform", "trigger",
          "type", "user", "view");

  /** Words that may come between CREATE and the object type. */
  static final Set<String> CREATE_MODIFIERS =
      Set.of(
          "or", "replace", "global", "local", "temp", "temporary", "unlogged", "unique",
          "recursive", "trusted", "procedural", "constraint", "default");
}
