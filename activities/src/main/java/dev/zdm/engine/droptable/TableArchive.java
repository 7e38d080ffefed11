package dev.zdm.engine.droptable;

import dev.zdm.model.TableRef;
import dev.zdm.postgres.Identifiers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where a dropped table waits out its retention: one rule for the workflow's activities and the
 * plan. The name carries a hash of schema, table and migration, so two tables of one name in two
 * schemas, or one table dropped by two migrations, never share an archive name.
 */
public final class TableArchive {
  /** The schema moved-aside tables live in until they are dropped, with the ledger in public. */
  public static final String DEFAULT_SCHEMA = "zdm_archive";

  private TableArchive() {}

  /**
   * {@value #DEFAULT_SCHEMA} beside a ledger in {@code public}; {@code <ledger schema>_archive}
   * beside a ledger with a schema of its own (ledger {@code zdm}: {@code zdm_archive} too), so two
   * zdm installations in one database, or two tests, never share an archive.
   */
  public static String schemaFor(String ledgerSchema) {
    return "public".equals(ledgerSchema) ? DEFAULT_SCHEMA : ledgerSchema + "_archive";
  }

  /** {@code <archive schema>.<table>_<hash>}, shortened with a hash when too long. */
  public static TableRef of(String archiveSchema, TableRef table, String migrationId) {
    return new TableRef(archiveSchema, Identifiers.generatedName("", table.name(),
        hash(table.schema() + "\u0000" + table.name() + "\u0000" + migrationId)));
  }

  /** The comment every archived table carries; the drop and the move back check it. */
  public static String ownerMark(String migrationId, TableRef table) {
    return "zdm migration " + migrationId + ": table " + table.displayName() + " moved aside";
  }

  private static String hash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException missing) {
      throw new IllegalStateException("SHA-256 is part of every JVM", missing);
    }
  }
}
