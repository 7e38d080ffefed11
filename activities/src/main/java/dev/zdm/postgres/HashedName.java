package dev.zdm.postgres;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Generated names that cannot collide by construction: a readable part for people, and a hash of
 * the parts that identify the object. {@link Identifiers#generatedName} joins its parts with
 * {@code _}, so table {@code a} column {@code b_c} and table {@code a_b} column {@code c} get one
 * name; here the identity is hashed part by part (NUL-separated: no identifier contains NUL).
 */
public final class HashedName {
  /** 40 bits: a collision needs about a million objects sharing a readable prefix. */
  public static final int HASH_HEX_DIGITS = 10;

  private HashedName() {}

  /**
   * {@code prefix + readable + "_" + hash(identity)}, the readable part cut (never inside a UTF-8
   * character) so that the whole fits in {@link Identifiers#MAX_IDENTIFIER_BYTES}.
   */
  public static String of(String prefix, String readable, String... identity) {
    String suffix = "_" + hash(identity);
    int room = Identifiers.MAX_IDENTIFIER_BYTES - bytes(prefix) - bytes(suffix);
    if (room < 0) {
      throw new IllegalArgumentException("prefix " + prefix + " leaves no room for a name");
    }
    StringBuilder kept = new StringBuilder();
    int used = 0;
    for (int i = 0; i < readable.length(); ) {
      int codePoint = readable.codePointAt(i);
      int size = bytes(new String(Character.toChars(codePoint)));
      if (used + size > room) {
        break;
      }
      kept.appendCodePoint(codePoint);
      used += size;
      i += Character.charCount(codePoint);
    }
    return prefix + kept + suffix;
  }

  static String hash(String... identity) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String part : identity) {
        digest.update(part.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
      }
      return HexFormat.of().formatHex(digest.digest()).substring(0, HASH_HEX_DIGITS);
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException("every Java runtime has SHA-256", impossible);
    }
  }

  private static int bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }
}
