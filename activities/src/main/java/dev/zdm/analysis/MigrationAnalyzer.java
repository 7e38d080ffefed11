package dev.zdm.analysis;

import dev.zdm.error.ZdmException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The analyzer's facade: files or directories in, an {@link AnalysisReport} out. It never prints;
 * the renderers turn the report into text, JSON or SARIF. Without a {@link DowntimeEstimator} it
 * touches no database, so {@code zdm analyze} stays fast in CI.
 */
public final class MigrationAnalyzer {
  private final DowntimeEstimator estimator;
  private final ColumnTypeSource catalogTypes;
  private final SqlSplitter splitter = new SqlSplitter();

  /** Analysis from the SQL alone: unsafe regardless of table size. */
  public MigrationAnalyzer() {
    this(null, ColumnTypeSource.NONE);
  }

  /**
   * Analysis with lock-time estimates (null for none) and current column types (for the columns
   * the migrations themselves do not define) from a database.
   */
  public MigrationAnalyzer(DowntimeEstimator estimator, ColumnTypeSource catalogTypes) {
    this.estimator = estimator;
    this.catalogTypes = catalogTypes;
  }

  /**
   * Analyzes each input (a file, or a directory of migrations read in run order); a file that
   * cannot be read or parsed is reported with its error, and the others are still analyzed.
   */
  public AnalysisReport analyze(List<String> inputs) {
    ColumnTypes columnTypes = new ColumnTypes(catalogTypes);
    List<FileAnalysis> files = new ArrayList<>();
    for (String input : inputs) {
      Path path = Path.of(input);
      if (Files.isDirectory(path)) {
        List<Path> found = MigrationFiles.inRunOrder(path);
        if (found.isEmpty()) {
          files.add(FileAnalysis.unreadable(input, input + ": no .sql migration files in it"));
        }
        for (Path file : found) {
          files.add(analyzeFile(file.toString(), file, columnTypes));
        }
      } else {
        files.add(analyzeFile(input, path, columnTypes));
      }
    }
    return new AnalysisReport(files);
  }

  /**
   * Analyzes an already split script (the planner's entry point).
   *
   * @throws ZdmException BAD_INPUT when a statement is not valid PostgreSQL
   */
  public FileAnalysis analyzeScript(MigrationScript script) {
    return new ScriptAnalyzer(new ColumnTypes(catalogTypes), estimator).analyze(script);
  }

  private FileAnalysis analyzeFile(String name, Path path, ColumnTypes columnTypes) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(path))).toString();
    } catch (CharacterCodingException e) {
      return FileAnalysis.unreadable(name, name + ": not UTF-8 text");
    } catch (IOException e) {
      return FileAnalysis.unreadable(name, name + ": cannot read the file ("
          + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    try {
      MigrationScript script = splitter.split(name, text);
      if (script.statements().isEmpty()) {
        return new FileAnalysis(name, true, RecommendedStrategy.NONE, null, List.of());
      }
      return new ScriptAnalyzer(columnTypes, estimator)
          .analyze(script, FileTransaction.of(path, text));
    } catch (ZdmException e) {
      return FileAnalysis.unreadable(name, e.getMessage());
    }
  }
}
