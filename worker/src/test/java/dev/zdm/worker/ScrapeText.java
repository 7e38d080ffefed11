package dev.zdm.worker;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one series out of the Prometheus text a registry scrapes. */
final class ScrapeText {
  private ScrapeText() {}

  /** The value of the series {@code name{...label...}} in a scrape, or null when absent. */
  static Double series(String scrape, String name, String label) {
    Matcher line = Pattern.compile("^" + name + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE).matcher(scrape);
    while (line.find()) {
      if (line.group(1).contains(label)) {
        return Double.parseDouble(line.group(2));
      }
    }
    return null;
  }
}
