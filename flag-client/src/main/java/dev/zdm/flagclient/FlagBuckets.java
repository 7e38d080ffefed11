package dev.zdm.flagclient;

import java.nio.charset.StandardCharsets;

/**
 * The bucket (0..99) the ledger's {@code check_feature_flag} puts an id in:
 * {@code ((hashtextextended(flag || ':' || id, 0) % 100) + 100) % 100}. hashtextextended is
 * PostgreSQL's hash_bytes_extended (Bob Jenkins' lookup3) over the text's UTF-8 bytes, ported here
 * bit for bit so the application and the database agree on every id without a round trip.
 */
public final class FlagBuckets {
  private FlagBuckets() {}

  public static int bucket(String flag, String id) {
    return (int) Math.floorMod(hashTextExtended(flag + ":" + id), 100L);
  }

  /** hashtextextended(text, 0) for a database whose encoding is UTF-8 (deterministic collation). */
  static long hashTextExtended(String text) {
    byte[] k = text.getBytes(StandardCharsets.UTF_8);
    int length = k.length;
    int a = 0x9e3779b9 + length + 3923095;
    int b = a;
    int c = a;
    int offset = 0;
    int remaining = length;
    while (remaining >= 12) {
      a += word(k, offset);
      b += word(k, offset + 4);
      c += word(k, offset + 8);
      // mix(a, b, c)
      a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
      b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
      c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
      a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
      b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
      c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
      offset += 12;
      remaining -= 12;
    }
    // The last 0..11 bytes, little-endian; the lowest byte of c is left for the length.
    switch (remaining) {
      case 11: c += (k[offset + 10] & 0xff) << 24;
      // fall through
      case 10: c += (k[offset + 9] & 0xff) << 16;
      // fall through
      case 9: c += (k[offset + 8] & 0xff) << 8;
      // fall through
      case 8: b += (k[offset + 7] & 0xff) << 24;
      // fall through
      case 7: b += (k[offset + 6] & 0xff) << 16;
      // fall through
      case 6: b += (k[offset + 5] & 0xff) << 8;
      // fall through
      case 5: b += k[offset + 4] & 0xff;
      // fall through
      case 4: a += (k[offset + 3] & 0xff) << 24;
      // fall through
      case 3: a += (k[offset + 2] & 0xff) << 16;
      // fall through
      case 2: a += (k[offset + 1] & 0xff) << 8;
      // fall through
      case 1: a += k[offset] & 0xff;
      // fall through
      default:
        break;
    }
    // final(a, b, c)
    c ^= b; c -= Integer.rotateLeft(b, 14);
    a ^= c; a -= Integer.rotateLeft(c, 11);
    b ^= a; b -= Integer.rotateLeft(a, 25);
    c ^= b; c -= Integer.rotateLeft(b, 16);
    a ^= c; a -= Integer.rotateLeft(c, 4);
    b ^= a; b -= Integer.rotateLeft(a, 14);
    c ^= b; c -= Integer.rotateLeft(b, 24);
    return ((long) b << 32) | (c & 0xffffffffL);
  }

  private static int word(byte[] k, int at) {
    return (k[at] & 0xff) | (k[at + 1] & 0xff) << 8 | (k[at + 2] & 0xff) << 16 | (k[at + 3] & 0xff) << 24;
  }
}
