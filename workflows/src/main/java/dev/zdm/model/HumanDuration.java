package dev.zdm.model;

import dev.zdm.error.ZdmException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people type them: {@code 30d}, {@code 12h}, {@code 90m}, {@code 0s}, {@code 200ms}, or ISO-8601. */
public final class HumanDuration {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");

  private HumanDuration() {}

  public static Duration parse(String text) {
    String value = text == null ? "" : text.strip().toLowerCase(java.util.Locale.ROOT);
    Matcher matcher = SIMPLE.matcher(value);
    if (matcher.matches()) {
      long amount = Long.parseLong(matcher.group(1));
      return switch (matcher.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        case "d" -> Duration.ofDays(amount);
        default -> Duration.ofDays(amount * 7);
      };
    }
    try {
      return Duration.parse(text.strip().toUpperCase(java.util.Locale.ROOT));
    } catch (DateTimeParseException | NullPointerException e) {
      throw ZdmException.badInput(
          "'" + text + "' is not a duration: use a number and a unit (ms, s, m, h, d, w), e.g. 30d, 12h, 0s");
    }
  }

  /** The shortest exact form: 30d, 12h, 200ms. */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis == 0) {
      return "0s";
    }
    long[] units = {7 * 86_400_000L, 86_400_000L, 3_600_000L, 60_000L, 1000L, 1L};
    String[] names = {"w", "d", "h", "m", "s", "ms"};
    for (int i = 0; i < units.length; i++) {
      if (millis % units[i] == 0) {
        return (millis / units[i]) + names[i];
      }
    }
    return millis + "ms";
  }
}
