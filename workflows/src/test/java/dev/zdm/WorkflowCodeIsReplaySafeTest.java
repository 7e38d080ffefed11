package dev.zdm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The workflows module is replayed code and the contract every other module builds on: it must
 * not reach for I/O, clocks or randomness, and must not depend on the modules built on it.
 */
class WorkflowCodeIsReplaySafeTest {
  private static final List<Pattern> FORBIDDEN = List.of(
      Pattern.compile("import java\\.sql\\."),
      Pattern.compile("import java\\.net\\."),
      Pattern.compile("import java\\.io\\.File"),
      Pattern.compile("import java\\.nio\\.file\\."),
      Pattern.compile("import java\\.util\\.Random"),
      Pattern.compile("import java\\.util\\.concurrent\\.(ThreadLocalRandom|Executor)"),
      Pattern.compile("import dev\\.zdm\\.(postgres|ledger|analysis|planning|worker|cli|client)\\."),
      Pattern.compile("System\\.currentTimeMillis|System\\.nanoTime|Instant\\.now|LocalDateTime\\.now"),
      Pattern.compile("Thread\\.sleep|new Thread\\("),
      Pattern.compile("UUID\\.randomUUID|Math\\.random"));

  @Test
  void noWorkflowSourceUsesIoClocksOrRandomness() throws IOException {
    try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
      List<String> violations = sources
          .filter(path -> path.toString().endsWith(".java"))
          .flatMap(WorkflowCodeIsReplaySafeTest::violations)
          .toList();
      assertThat(violations).isEmpty();
    }
  }

  private static Stream<String> violations(Path source) {
    try {
      String text = Files.readString(source);
      return FORBIDDEN.stream()
          .filter(pattern -> pattern.matcher(text).find())
          .map(pattern -> source + " uses " + pattern.pattern());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
