package dev.zdm.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * What changed between two sets of {@link DescriptionFacts}, leaving out the objects the migration
 * itself was asked to change: each line says what the fact was and what it is now.
 */
public final class FidelityDiff {
  private FidelityDiff() {}

  /**
   * @param expected objects (see {@link DescriptionFacts#object}) the migration may add, alter or
   *     remove; every other difference is reported
   */
  public static List<String> between(Map<String, String> before, Map<String, String> now, Predicate<String> expected) {
    TreeSet<String> keys = new TreeSet<>(before.keySet());
    keys.addAll(now.keySet());
    List<String> differences = new ArrayList<>();
    for (String key : keys) {
      if (expected.test(DescriptionFacts.object(key))) {
        continue;
      }
      String was = before.get(key);
      String is = now.get(key);
      if (was == null) {
        differences.add("added   " + key + ": " + is);
      } else if (is == null) {
        differences.add("missing " + key + " (was: " + was + ")");
      } else if (!was.equals(is)) {
        differences.add("changed " + key + ": was " + was + ", now " + is);
      }
    }
    return differences;
  }
}
