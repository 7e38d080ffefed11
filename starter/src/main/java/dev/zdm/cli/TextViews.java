package dev.zdm.cli;

import dev.zdm.client.BootstrapResult;
import dev.zdm.client.ControlResult;
import dev.zdm.client.MigrationView;
import dev.zdm.client.StartResult;
import dev.zdm.ledger.BreakerState;
import dev.zdm.model.Progress;
import dev.zdm.model.StepRecord;
import dev.zdm.model.plan.PlanStep;
import dev.zdm.temporalclient.MigrationSummary;
import java.time.Instant;
import java.util.List;

/** The human-readable form of every result the CLI prints. */
final class TextViews {
  private TextViews() {}

  static String started(StartResult started) {
    StringBuilder text = new StringBuilder();
    text.append("Started migration ").append(started.id())
        .append(" as workflow ").append(started.workflowId()).append('\n');
    if (started.webUi() != null) {
      text.append("Web UI:  ").append(started.webUi()).append('\n');
    }
    text.append("Plan:\n");
    List<PlanStep> steps = started.plan().steps();
    for (int i = 0; i < steps.size(); i++) {
      text.append("  ").append(i + 1).append(". ").append(steps.get(i).describe()).append('\n');
    }
    started.plan().warnings().forEach(w -> text.append("  warning: ").append(w).append('\n'));
    if (started.result() != null) {
      text.append("Result:  ").append(started.result().outcome()).append(" — ")
          .append(started.result().message());
    } else {
      text.append("Follow it with: zdm status ").append(started.id());
    }
    return text.toString();
  }

  static String status(MigrationView view) {
    StringBuilder text = new StringBuilder();
    text.append("Migration ").append(view.id()).append(" (").append(view.workflowId()).append(")\n");
    line(text, "State", view.state());
    line(text, "Strategy", view.strategy());
    line(text, "Table", view.table());
    line(text, "Phase", view.phase());
    line(text, "Waiting for", view.waitingFor());
    line(text, "Retrying", view.retrying());
    line(text, "Failure", view.failure());
    if (view.progress() != null) {
      line(text, "Progress", progress(view.progress()));
    }
    line(text, "Message", view.message());
    if ("RUNNING".equals(view.state())) {
      line(text, "Rollback", view.rollbackPossible() ? "possible (zdm rollback " + view.id() + ")" : "no longer possible");
    }
    line(text, "Started", time(view.startedAt()));
    line(text, "Ended", time(view.closedAt()));
    if (!view.steps().isEmpty()) {
      text.append("Steps:\n");
      for (StepRecord step : view.steps()) {
        text.append("  ").append(time(Instant.ofEpochMilli(step.atEpochMillis()))).append("  ")
            .append(String.format("%-11s", step.state())).append(' ')
            .append(step.name()).append(": ").append(step.detail()).append('\n');
      }
    }
    return text.toString().stripTrailing();
  }

  static String progress(Progress p) {
    StringBuilder text = new StringBuilder();
    text.append(p.rowsDone()).append('/').append(p.rowsTotal()).append(" rows");
    if (p.rowsTotal() > 0) {
      text.append(String.format(" (%.1f%%)", 100.0 * p.rowsDone() / p.rowsTotal()));
    }
    text.append(String.format(", %.0f rows/s", p.rowsPerSecond()));
    if (p.etaSeconds() != null) {
      text.append(", ETA ").append(p.etaSeconds()).append(" s");
    }
    text.append(", batch ").append(p.batchSize()).append(", delay ").append(p.delayMs()).append(" ms");
    if (p.paused()) {
      text.append(", PAUSED");
    }
    if (p.throttledBecause() != null) {
      text.append(", throttled: ").append(p.throttledBecause());
    }
    return text.toString();
  }

  static String list(List<MigrationSummary> migrations) {
    if (migrations.isEmpty()) {
      return "No migrations.";
    }
    StringBuilder text = new StringBuilder(
        String.format("%-32s %-10s %-16s %-24s %-22s %s%n", "ID", "STATE", "STRATEGY", "PHASE", "WAITING FOR", "TABLE"));
    for (MigrationSummary m : migrations) {
      text.append(String.format("%-32s %-10s %-16s %-24s %-22s %s%n",
          m.id(), m.state(), dash(m.strategy()), dash(m.phase()), dash(m.waitingFor()), dash(m.table())));
    }
    return text.toString().stripTrailing();
  }

  static String control(ControlResult result) {
    return result.message();
  }

  static String bootstrap(BootstrapResult result) {
    return result.versionBefore() >= result.versionNow()
        ? "Ledger in schema " + result.schema() + " of " + result.database() + " is up to date (version " + result.versionNow() + ")."
        : "Ledger installed in schema " + result.schema() + " of " + result.database() + " (version " + result.versionBefore() + " -> " + result.versionNow() + ").";
  }

  static String breaker(BreakerState state) {
    if (state == null) {
      return "The circuit breaker has never been used (closed).";
    }
    StringBuilder text = new StringBuilder();
    text.append("Circuit breaker ").append(state.name()).append(": ").append(state.state().toUpperCase())
        .append(" (").append(state.failureCount()).append('/').append(state.failureThreshold()).append(" failures)");
    if (state.openedAt() != null && state.isOpen()) {
      text.append("\nOpened at ").append(state.openedAt());
    }
    if (state.lastError() != null) {
      text.append("\nLast error: ").append(state.lastError());
    }
    if (state.isOpen()) {
      text.append("\nFix the cause, then run `zdm breaker reset`.");
    }
    return text.toString();
  }

  private static void line(StringBuilder text, String label, String value) {
    if (value != null && !value.isBlank()) {
      text.append(String.format("  %-12s %s%n", label + ":", value));
    }
  }

  private static String time(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  private static String dash(String value) {
    return value == null ? "-" : value;
  }
}
