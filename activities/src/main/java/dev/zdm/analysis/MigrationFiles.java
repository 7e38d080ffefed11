package dev.zdm.analysis;

import dev.zdm.error.ZdmException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the migrations in a directory in the order a migration tool would run them: Flyway
 * {@code V<version>__name.sql} by version (then repeatable {@code R__name.sql} by name), Prisma
 * {@code <timestamp>_name/migration.sql} by folder, golang-migrate {@code <n>_name.up.sql} by
 * number ({@code .down.sql} skipped), and any other {@code .sql} by the number it starts with,
 * then by name. Undo scripts (Flyway {@code U<version>__}, {@code *.down.sql}) are not migrations.
 */
public final class MigrationFiles {
  private static final Pattern FLYWAY = Pattern.compile("(?i)V(\\d+(?:[._]\\d+)*)__.*\\.sql");
  private static final Pattern REPEATABLE = Pattern.compile("(?i)R__.*\\.sql");
  private static final Pattern UNDO = Pattern.compile("(?i)(U\\d+(?:[._]\\d+)*__.*|.*\\.down)\\.sql");
  private static final Pattern LEADING_NUMBER = Pattern.compile("(\\d+)");

  private MigrationFiles() {}

  /** The migration files under {@code directory}, in run order. */
  public static List<Path> inRunOrder(Path directory) {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(directory)) {
      files = walk.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().toLowerCase().endsWith(".sql"))
          .filter(p -> !UNDO.matcher(p.getFileName().toString()).matches())
          .toList();
    } catch (IOException | UncheckedIOException e) {
      throw ZdmException.badInput(directory + ": cannot list the directory (" + e.getMessage() + ")");
    }
    List<Path> sorted = new ArrayList<>(files);
    sorted.sort(Comparator.comparing((Path p) -> key(directory, p)));
    return sorted;
  }

  /** A sort key: group (versioned, then repeatable), numeric version parts, then the name. */
  private static SortKey key(Path root, Path file) {
    String name = file.getFileName().toString();
    Path relative = root.relativize(file);
    if (name.equalsIgnoreCase("migration.sql") && relative.getNameCount() >= 2) {
      name = relative.getName(relative.getNameCount() - 2).toString();
    }
    Matcher flyway = FLYWAY.matcher(name);
    if (flyway.matches()) {
      return new SortKey(0, numbers(flyway.group(1)), relative.toString());
    }
    if (REPEATABLE.matcher(name).matches()) {
      return new SortKey(2, List.of(), relative.toString());
    }
    Matcher number = LEADING_NUMBER.matcher(name);
    if (number.lookingAt()) {
      return new SortKey(0, numbers(number.group(1)), relative.toString());
    }
    return new SortKey(1, List.of(), relative.toString());
  }

  private static List<java.math.BigInteger> numbers(String version) {
    List<java.math.BigInteger> parts = new ArrayList<>();
    for (String part : version.split("[._]")) {
      parts.add(new java.math.BigInteger(part));
    }
    return parts;
  }

  private record SortKey(int group, List<java.math.BigInteger> version, String name)
      implements Comparable<SortKey> {
    @Override
    public int compareTo(SortKey other) {
      if (group != other.group) {
        return Integer.compare(group, other.group);
      }
      for (int i = 0; i < Math.min(version.size(), other.version.size()); i++) {
        int c = version.get(i).compareTo(other.version.get(i));
        if (c != 0) {
          return c;
        }
      }
      if (version.size() != other.version.size()) {
        return Integer.compare(version.size(), other.version.size());
      }
      return name.compareTo(other.name);
    }
  }
}
