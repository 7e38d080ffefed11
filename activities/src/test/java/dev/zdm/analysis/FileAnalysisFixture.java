package dev.zdm.analysis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes migration text under a file name (which tells the runner) and analyzes it. */
final class FileAnalysisFixture {
  private FileAnalysisFixture() {}

  static FileAnalysis analyze(Path dir, String relativeName, String sql) throws IOException {
    Path file = dir.resolve(relativeName);
    Files.createDirectories(file.getParent());
    Files.writeString(file, sql);
    return new MigrationAnalyzer().analyze(List.of(file.toString())).files().get(0);
  }

  static StatementAnalysis statementAt(FileAnalysis file, int line) {
    return file.statements().stream().filter(s -> s.line() == line).findFirst()
        .orElseThrow(() -> new AssertionError("no statement at line " + line + " in " + file));
  }
}
