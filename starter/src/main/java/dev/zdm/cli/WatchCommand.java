package dev.zdm.cli;

import dev.zdm.client.MigrationView;
import dev.zdm.client.ZdmClient;
import dev.zdm.model.Progress;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code zdm watch ID}: phase, what it waits for, and a live progress bar until the migration ends. */
@Command(name = "watch", description = "Follow a migration: phase, waits, and a progress bar with rate and ETA.")
class WatchCommand extends TemporalCommand {
  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
  static final int BAR_WIDTH = 30;

  @Parameters(index = "0", paramLabel = "ID", description = "Migration id.")
  String id;

  @Option(names = "--interval-ms", paramLabel = "N", description = "How often to look, in milliseconds (default 2000).")
  long intervalMs = DEFAULT_INTERVAL.toMillis();

  @Override
  int run(ZdmClient client) {
    String last = null;
    while (true) {
      MigrationView view = client.status(id);
      String line = json() ? Output.toJson(view) : line(view);
      if (!line.equals(last)) {
        out().println(line);
        out().flush();
        last = line;
      }
      if (!"RUNNING".equals(view.state())) {
        return "COMPLETED".equals(view.state()) ? 0 : 1;
      }
      try {
        Thread.sleep(Math.max(200, intervalMs));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 1;
      }
    }
  }

  static String line(MigrationView view) {
    StringBuilder text = new StringBuilder(view.state()).append("  ").append(view.phase());
    if (view.waitingFor() != null && !view.waitingFor().equals("none")) {
      text.append("  waiting for ").append(view.waitingFor());
    }
    Progress progress = view.progress();
    if (progress != null) {
      text.append("  ").append(bar(progress)).append(' ').append(TextViews.progress(progress));
    }
    return text.toString();
  }

  static String bar(Progress progress) {
    double done = progress.rowsTotal() <= 0 ? 0 : Math.min(1.0, (double) progress.rowsDone() / progress.rowsTotal());
    int filled = (int) Math.round(done * BAR_WIDTH);
    return "[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "]";
  }
}
