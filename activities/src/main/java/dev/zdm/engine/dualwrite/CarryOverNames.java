package dev.zdm.engine.dualwrite;

import dev.zdm.dualwrite.DualWriteRequest;
import dev.zdm.postgres.Identifiers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Temporary names of carried objects: {@code zdm_carry_<hash>_<original>}, the hash taken over
 * the migration, the table and the original name, so two migrations (or two objects whose names
 * share a truncated prefix) never get the same name, and a person reading the catalog sees whose
 * object it is. Every carried object also has a comment naming the migration.
 */
final class CarryOverNames {
  static final String PREFIX = "zdm_carry_";

  private CarryOverNames() {}

  static String temporary(DualWriteRequest request, String original) {
    String hash = hash(request.migrationId() + "\0" + request.table().schema() + "\0"
        + request.table().name() + "\0" + original);
    return Identifiers.generatedName(PREFIX + hash + "_", original);
  }

  static String ownerComment(DualWriteRequest request, CarriedObject object) {
    return "zdm migration " + request.migrationId() + ": carries " + object.describe() + " to column "
        + request.newColumn() + " until the cut-over";
  }

  private static String hash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
