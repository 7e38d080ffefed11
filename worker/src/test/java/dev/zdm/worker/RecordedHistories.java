package dev.zdm.worker;

import io.temporal.client.WorkflowClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the histories of test runs to target/histories; copied into src/test/resources/histories
 * they become the recorded histories the replay tests hold every later version of the code to.
 */
final class RecordedHistories {
  static final Path OUTPUT = Path.of("target", "histories");

  private RecordedHistories() {}

  static void save(WorkflowClient client, String name, String workflowId) {
    try {
      Files.createDirectories(OUTPUT);
      Files.writeString(OUTPUT.resolve(name + ".json"), client.fetchHistory(workflowId).toJson(true));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
