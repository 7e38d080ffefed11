package dev.zdm.analysis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How the tool that runs a migration file wraps it in transactions, recognised from the file's
 * name and its tool's opt-out markers (docs/decisions/0104-file-transactions.md). A file run in
 * one transaction holds every lock it takes until its end, and cannot contain a statement that
 * PostgreSQL refuses inside a transaction block.
 *
 * @param runner the tool recognised, as named in messages ({@code Flyway}, {@code golang-migrate},
 *     ...), or null for a plain file that psql or zdm runs statement by statement
 * @param wholeFile the runner wraps the whole file in one transaction
 * @param implicit the transaction is PostgreSQL's implicit one around a multi-statement query
 *     (golang-migrate, Prisma): only a file of two or more statements is in it
 * @param refusesMixed the runner refuses a file that mixes statements that must run outside a
 *     transaction with others (Flyway unless {@code mixed=true}); a file of only such statements
 *     it runs without a transaction
 */
public record FileTransaction(
    String runner, boolean wholeFile, boolean implicit, boolean refusesMixed) {

  /** psql, zdm start and plain files: each statement commits on its own unless BEGIN says so. */
  public static final FileTransaction PER_STATEMENT = new FileTransaction(null, false, false, false);

  private static final Pattern FLYWAY = Pattern.compile("(?i)(V\\d+(?:[._]\\d+)*|R)__.*\\.sql");
  private static final Pattern FLYWAY_OPT_OUT =
      Pattern.compile("(?i)executeInTransaction\\s*=\\s*false");
  private static final Pattern DIESEL_OPT_OUT =
      Pattern.compile("(?im)^\\s*run_in_transaction\\s*=\\s*false");
  private static final Pattern TIMESTAMPED_FOLDER = Pattern.compile("\\d{4}.*");

  /** The convention for {@code file} with contents {@code text}. */
  public static FileTransaction of(Path file, String text) {
    Path name = file.getFileName();
    if (name == null) {
      return PER_STATEMENT;
    }
    String fileName = name.toString();
    String lower = fileName.toLowerCase(Locale.ROOT);
    Path parent = file.getParent();
    String folder = parent == null || parent.getFileName() == null ? ""
        : parent.getFileName().toString();
    if (FLYWAY.matcher(fileName).matches()) {
      boolean optOut = FLYWAY_OPT_OUT.matcher(firstLines(text)).find()
          || FLYWAY_OPT_OUT.matcher(read(file.resolveSibling(fileName + ".conf"))).find();
      return new FileTransaction("Flyway", !optOut, false, true);
    }
    if (lower.endsWith(".up.sql")) {
      return new FileTransaction("golang-migrate", true, true, false);
    }
    if (lower.equals("migration.sql") && TIMESTAMPED_FOLDER.matcher(folder).matches()) {
      return new FileTransaction("Prisma", true, true, false);
    }
    if (lower.equals("up.sql") && TIMESTAMPED_FOLDER.matcher(folder).matches()) {
      boolean optOut = DIESEL_OPT_OUT.matcher(read(file.resolveSibling("metadata.toml"))).find();
      return new FileTransaction("diesel", !optOut, false, false);
    }
    return PER_STATEMENT;
  }

  /** True when a script of {@code statementCount} statements runs inside one transaction. */
  boolean wraps(int statementCount) {
    return wholeFile && (!implicit || statementCount > 1);
  }

  /** Why the file is one transaction, for messages: "Flyway runs this file in one transaction". */
  String why() {
    return implicit
        ? runner + " sends the file as one multi-statement query, which PostgreSQL runs as one"
            + " implicit transaction"
        : runner + " runs the file in one transaction";
  }

  /** How to run a statement outside the file's transaction with this runner. */
  String optOut() {
    if (runner == null) {
      return "run it on its own, outside BEGIN ... COMMIT";
    }
    return switch (runner) {
      case "Flyway" -> "put it in a migration of its own (Flyway then runs it outside a"
          + " transaction), or add " + "executeInTransaction=false in a <file>.sql.conf";
      case "diesel" -> "put it in a migration of its own with run_in_transaction = false in its"
          + " metadata.toml";
      default -> "put it in a migration file of its own (a single statement runs outside a"
          + " transaction)";
    };
  }

  private static String firstLines(String text) {
    int end = text.length();
    int lines = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n' && ++lines == FIRST_LINES_READ) {
        end = i;
        break;
      }
    }
    return text.substring(0, end);
  }

  /** Inline script configuration is read from the first lines only, as script headers are. */
  private static final int FIRST_LINES_READ = 5;

  private static String read(Path file) {
    try {
      return Files.isRegularFile(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return "";
    }
  }
}
