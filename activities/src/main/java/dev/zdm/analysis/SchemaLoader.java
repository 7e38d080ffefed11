package dev.zdm.analysis;

import dev.zdm.error.ZdmException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Loads the schema to judge against into a scratch database: a {@code pg_dump --schema-only}
 * file, or a directory of the project's earlier migrations run in order. Statements about
 * roles, privileges and extensions the scratch server lacks are skipped with a note (a dump
 * names its owner roles, which a scratch server does not have); any other failure is bad input
 * with the file, line and PostgreSQL's message.
 */
public final class SchemaLoader {
  /** psql meta-commands in dumps ({@code \connect}, {@code \restrict}): not SQL, skipped. */
  private static final Pattern META_COMMAND = Pattern.compile("(?m)^\\\\.*$");
  private static final Pattern SKIPPABLE = Pattern.compile(
      "(?is)\\s*(grant|revoke|alter\\s+default\\s+privileges|create\\s+extension"
          + "|comment\\s+on\\s+extension|create\\s+(publication|subscription)|(create|alter)\\s+role"
          + "|alter\\s+\\S+.*\\bowner\\s+to\\b|security\\s+label).*");

  private final SqlSplitter splitter = new SqlSplitter();

  /** What was skipped, one line each ({@code file:line: reason}). */
  public List<String> load(Connection connection, Path schema) {
    List<Path> files = Files.isDirectory(schema) ? MigrationFiles.inRunOrder(schema) : List.of(schema);
    List<String> skipped = new ArrayList<>();
    for (Path file : files) {
      loadFile(connection, file, skipped);
    }
    return skipped;
  }

  private void loadFile(Connection connection, Path file, List<String> skipped) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw ZdmException.badInput(file + ": cannot read the schema (" + e.getMessage() + ")");
    }
    // Blank the meta-command lines rather than remove them, so line numbers stay right.
    text = META_COMMAND.matcher(text).replaceAll("");
    MigrationScript script = splitter.split(file.toString(), text);
    for (SqlStatement statement : script.statements()) {
      try (Statement s = connection.createStatement()) {
        s.execute(statement.sql());
      } catch (SQLException e) {
        if (SKIPPABLE.matcher(statement.sql()).matches()) {
          skipped.add(file + ":" + statement.line() + ": skipped ("
              + firstLine(e.getMessage()) + ")");
          continue;
        }
        throw ZdmException.badInput(file + ":" + statement.line() + ": loading the schema failed:"
            + " PostgreSQL says " + firstLine(e.getMessage()));
      }
    }
  }

  private static String firstLine(String message) {
    String m = message == null ? "" : message;
    int newline = m.indexOf('\n');
    return (newline < 0 ? m : m.substring(0, newline)).strip().toLowerCase(Locale.ROOT)
        .startsWith("error: ") ? m.substring(7, newline < 0 ? m.length() : newline).strip()
        : (newline < 0 ? m : m.substring(0, newline)).strip();
  }
}
