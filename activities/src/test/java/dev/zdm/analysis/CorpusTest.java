package dev.zdm.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every corpus file gets the verdict and strategy written in corpus-expected.tsv. */
class CorpusTest {
  private static final List<String> STYLES =
      List.of("flyway", "prisma", "golang-migrate", "rails", "django", "invalid");

  @Test
  void everyCorpusFileGetsItsExpectedVerdictAndStrategy() throws Exception {
    Path corpus = resource("corpus");
    Map<String, String> expected = expected();
    List<String> inputs = STYLES.stream().map(s -> corpus.resolve(s).toString()).toList();

    AnalysisReport report = new MigrationAnalyzer().analyze(inputs);

    Map<String, String> actual = new LinkedHashMap<>();
    for (FileAnalysis file : report.files()) {
      String relative = corpus.relativize(Path.of(file.file())).toString().replace('\\', '/');
      String verdict = file.verdict();
      actual.put(relative, verdict + "\t" + file.recommendedStrategy().displayName());
    }
    assertThat(expected).hasSizeGreaterThanOrEqualTo(80);
    assertThat(actual).containsExactlyInAnyOrderEntriesOf(expected);
  }

  @Test
  void invalidFilesAreReportedWithFileLineAndReason() throws Exception {
    Path invalid = resource("corpus").resolve("invalid");
    AnalysisReport report = new MigrationAnalyzer().analyze(List.of(invalid.toString()));
    assertThat(report.files()).isNotEmpty().allSatisfy(file ->
        assertThat(file.error()).matches(java.util.regex.Pattern.quote(file.file()) + ":\\d+: .+"));
    assertThat(report.exitCode()).isEqualTo(AnalysisReport.EXIT_BAD_INPUT);
  }

  private static Map<String, String> expected() throws IOException, URISyntaxException {
    Map<String, String> expected = new LinkedHashMap<>();
    for (String line : Files.readAllLines(resource("corpus-expected.tsv"))) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      String[] parts = line.split("\t");
      expected.put(parts[0], parts[1] + "\t" + parts[2]);
    }
    return expected;
  }

  static Path resource(String name) throws URISyntaxException {
    return Path.of(CorpusTest.class.getClassLoader().getResource(name).toURI());
  }

  static List<String> all(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      return new ArrayList<>(walk.filter(Files::isRegularFile).map(Path::toString).toList());
    }
  }
}
