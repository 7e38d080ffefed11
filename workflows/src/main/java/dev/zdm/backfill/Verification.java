package dev.zdm.backfill;

import java.util.List;

/** The result of checking a whole table batch by batch: rows checked and the first bad keys. */
public record Verification(long rowsChecked, long mismatches, List<String> mismatchedKeys) {
  public Verification {
    mismatchedKeys = mismatchedKeys == null ? List.of() : List.copyOf(mismatchedKeys);
  }
}
