package dev.zdm.bench;

import dev.zdm.engine.activities.DdlActivitiesImpl;
import dev.zdm.engine.backfill.BackfillActivitiesImpl;
import dev.zdm.backfill.BatchSettings;
import dev.zdm.engine.dualwrite.DualWriteActivitiesImpl;
import dev.zdm.dualwrite.DualWriteKind;
import dev.zdm.dualwrite.DualWriteRequest;
import dev.zdm.dualwrite.DualWriteWorkflow;
import dev.zdm.dualwrite.DualWriteWorkflowImpl;
import dev.zdm.ledger.Ledger;
import dev.zdm.metrics.ZdmMetrics;
import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.MigrationStatus;
import dev.zdm.model.TableRef;
import dev.zdm.model.WaitingFor;
import dev.zdm.postgres.Database;
import dev.zdm.postgres.DatabaseConfig;
import dev.zdm.postgres.TargetDatabase;
import dev.zdm.engine.progressive.ProgressiveActivitiesImpl;
import dev.zdm.progressive.ProgressiveChange;
import dev.zdm.progressive.ProgressiveRequest;
import dev.zdm.progressive.ProgressiveWorkflow;
import dev.zdm.progressive.ProgressiveWorkflowImpl;
import dev.zdm.testing.TemporalTestEnv;
import dev.zdm.testing.TestDatabase;
import dev.zdm.workflow.StrategyWorkflowControls;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;

/**
 * The zdm side of the benchmark (bench/run.sh runs the load and the naive side): runs one
 * scenario's migration with the real activities against table {@code bench.accounts} and prints
 * its wall time and backfill rate. Dual-write scenarios whose application must change run the
 * expand phase up to the reads gate; int-to-bigint runs to the end (the old application keeps
 * working after the cut-over).
 */
public final class BenchRun {
  private BenchRun() {}

  public static void main(String[] args) throws Exception {
    String scenario = args[0];
    String url = args.length > 1 ? args[1] : TestDatabase.url();
    DatabaseConfig config = DatabaseConfig.of(url).withLedgerSchema("bench");
    try (Database database = Database.open(config, "bench", 6)) {
      new Ledger(database.dataSource(), "bench").install();
      TargetDatabase target = TargetDatabase.of(database.dataSource(), config, ZdmMetrics.discarding());
      try (TemporalTestEnv temporal = new TemporalTestEnv(
          new Class<?>[] {DualWriteWorkflowImpl.class, ProgressiveWorkflowImpl.class},
          new DualWriteActivitiesImpl(target), new ProgressiveActivitiesImpl(target),
          new BackfillActivitiesImpl(target), new DdlActivitiesImpl(target))) {
        long started = System.nanoTime();
        String outcome = run(temporal, scenario);
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("zdm %s: %s in %.2f s%n", scenario, outcome, seconds);
      }
    }
  }

  private static String run(TemporalTestEnv temporal, String scenario) throws Exception {
    TableRef accounts = new TableRef("bench", "accounts");
    BatchSettings batches = BatchSettings.of(10_000, 0, null, null);
    switch (scenario) {
      case "create-index" -> {
        ProgressiveWorkflow workflow = temporal.newWorkflow(ProgressiveWorkflow.class, "bench-index");
        MigrationResult result = workflow.run(new ProgressiveRequest("bench-index", accounts,
            new ProgressiveChange.IndexBuild("accounts_note_idx", "(note)", false, null, null, null, null),
            batches, MigrationOptions.defaults(), null));
        return result.outcome().toString();
      }
      case "int-to-bigint", "indexed-int-to-bigint" -> {
        return dualWrite(temporal, new DualWriteRequest("bench-bigint", DualWriteKind.CHANGE_TYPE, accounts,
            "amount", null, "bigint", null, null, null, batches, MigrationOptions.defaults(), null), true);
      }
      case "add-not-null", "lock-queue" -> {
        return dualWrite(temporal, new DualWriteRequest("bench-" + scenario, DualWriteKind.ADD_NOT_NULL, accounts,
            "amount", "tier", "text", "CASE WHEN {old} > 500 THEN 'gold' ELSE 'basic' END", null, "'basic'",
            batches, MigrationOptions.defaults(), null), false);
      }
      case "derived-column" -> {
        // No gate: the trigger keeps tripled right for the unchanged application, to the end.
        DualWriteWorkflow workflow = temporal.newWorkflow(DualWriteWorkflow.class, "bench-derived");
        MigrationResult result = workflow.run(new DualWriteRequest("bench-derived", DualWriteKind.DERIVED_COLUMN,
            accounts, null, "tripled", "bigint", "amount::bigint * 3", null, null, batches,
            MigrationOptions.defaults(), null));
        return result.outcome() + "; derived column kept by its trigger";
      }
      case "rename" -> {
        return dualWrite(temporal, new DualWriteRequest("bench-rename", DualWriteKind.RENAME_COLUMN, accounts,
            "note", "remark", null, null, null, null, batches, MigrationOptions.defaults(), null), false);
      }
      default -> throw new IllegalArgumentException("unknown scenario " + scenario);
    }
  }

  /** Runs to the reads gate, or (toTheEnd) through both gates and the approval. */
  private static String dualWrite(TemporalTestEnv temporal, DualWriteRequest request, boolean toTheEnd)
      throws Exception {
    DualWriteWorkflow workflow = temporal.newWorkflow(DualWriteWorkflow.class, request.migrationId());
    WorkflowClient.start(workflow::run, request);
    MigrationStatus gate = waitFor(workflow, WaitingFor.DEPLOYMENT_READS);
    String backfill = String.format("backfill %d rows at %.0f rows/s (last chunk)",
        gate.progress().rowsDone(), gate.progress().rowsPerSecond());
    if (!toTheEnd) {
      return "expand phase done up to the reads gate; " + backfill;
    }
    workflow.deployed(new DeploymentSignal("bench", "reads"));
    waitFor(workflow, WaitingFor.DEPLOYMENT_WRITES);
    workflow.deployed(new DeploymentSignal("bench", "writes"));
    waitFor(workflow, WaitingFor.APPROVAL);
    workflow.approve(new ApprovalRequest("bench", null));
    return WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class).outcome() + "; " + backfill;
  }

  private static MigrationStatus waitFor(StrategyWorkflowControls workflow, String waitingFor) throws Exception {
    while (true) {
      MigrationStatus status = workflow.status();
      if (status != null && waitingFor.equals(status.waitingFor())) {
        return status;
      }
      if (status != null && status.phase().equals("failed")) {
        throw new IllegalStateException("migration failed: " + status.message());
      }
      Thread.sleep(100);
    }
  }
}
