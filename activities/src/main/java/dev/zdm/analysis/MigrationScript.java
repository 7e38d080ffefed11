package dev.zdm.analysis;

import java.util.List;

/** A migration file split into statements, in file order. */
public record MigrationScript(String sourceName, List<SqlStatement> statements) {
  public MigrationScript {
    statements = List.copyOf(statements);
  }
}
