package dev.zdm.cli;

import dev.zdm.postgres.DatabaseConfig;
import picocli.CommandLine.Option;

/** Which database: environment first (ZDM_DATABASE_URL, ...), these flags override. */
public class DatabaseOptions {
  @Option(names = "--database-url", paramLabel = "URL", description = "Target database, jdbc:postgresql://... or postgresql://... (env ZDM_DATABASE_URL).")
  String url;

  @Option(names = "--ledger-schema", paramLabel = "SCHEMA", description = "Schema of zdm's ledger (env ZDM_LEDGER_SCHEMA, default public).")
  String ledgerSchema;

  DatabaseConfig config() {
    DatabaseConfig config = DatabaseConfig.fromEnvironment(System.getenv());
    if (url != null) {
      config = config.withUrl(url);
    }
    if (ledgerSchema != null) {
      config = config.withLedgerSchema(ledgerSchema);
    }
    return config;
  }
}
