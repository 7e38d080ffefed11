package dev.zdm.fakes;

import dev.zdm.activities.DdlActivities;
import dev.zdm.activities.DdlResult;
import dev.zdm.activities.DdlStatement;
import dev.zdm.activities.MigrationActivities;
import dev.zdm.backfill.BackfillActivities;
import dev.zdm.backfill.BackfillChunk;
import dev.zdm.backfill.BackfillRequest;
import dev.zdm.backfill.BatchChange;
import dev.zdm.backfill.BatchControl;
import dev.zdm.backfill.Verification;
import dev.zdm.bluegreen.BlueGreenActivities;
import dev.zdm.bluegreen.BlueGreenRequest;
import dev.zdm.droptable.ArchivedTable;
import dev.zdm.droptable.DropTableActivities;
import dev.zdm.droptable.DropTableRequest;
import dev.zdm.droptable.TableDeprecation;
import dev.zdm.dualwrite.DualWriteActivities;
import dev.zdm.dualwrite.DualWritePlan;
import dev.zdm.dualwrite.DualWriteRequest;
import dev.zdm.expandcontract.ArchiveResult;
import dev.zdm.expandcontract.Deprecation;
import dev.zdm.expandcontract.ExpandContractActivities;
import dev.zdm.expandcontract.ExpandContractRequest;
import dev.zdm.model.MigrationRequest;
import dev.zdm.model.TableRef;
import dev.zdm.model.plan.Plan;
import dev.zdm.progressive.IndexProgress;
import dev.zdm.progressive.ProgressiveActivities;
import dev.zdm.progressive.ProgressiveRequest;
import io.temporal.activity.Activity;
import io.temporal.client.ActivityCompletionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Activity implementations that touch no database: they do what the {@link ActivityScript} says
 * and log every call, so workflow logic (sagas, gates, cancellation) is tested fast and alone.
 */
public final class FakeActivities {
  private final ActivityScript script;
  private final Map<String, Plan> plans = new ConcurrentHashMap<>();
  /** The strategy-step tables of each migration's ClaimTables call. */
  private final Map<String, java.util.List<dev.zdm.model.TableRef>> claimed = new ConcurrentHashMap<>();
  public final FakeFeatureFlag featureFlag;
  /** Every control row the workflows wrote, in order: what the engine would read. */
  private final List<BatchControl> controls = new ArrayList<>();
  private final Set<String> finishing = ConcurrentHashMap.newKeySet();

  public FakeActivities(ActivityScript script) {
    this.script = script;
    this.featureFlag = new FakeFeatureFlag(script);
  }

  public void plan(String migrationId, Plan plan) {
    plans.put(migrationId, plan);
  }

  /** The tables the migration claimed, or null when it asked for none. */
  public java.util.List<dev.zdm.model.TableRef> claimedTables(String migrationId) {
    return claimed.get(migrationId);
  }

  /**
   * Each call of the chunk {@code call} runs batches, as the engine does, until the last control
   * row says paused (then it returns PAUSED, as the engine does at its next batch) or until the
   * test ends the pass with {@link #finishPass} (then FINISHED).
   */
  public void runBatches(String call) {
    script.when(call, normal -> {
      try {
        while (true) {
          if (lastControl().map(BatchControl::paused).orElse(false)) {
            return new BackfillChunk(50, 50, 100, 1, 1000, 100, 0, null, BackfillChunk.End.PAUSED);
          }
          if (finishing.contains(call)) {
            return new BackfillChunk(100, 100, 100, 2, 1000, 100, 0, null, BackfillChunk.End.FINISHED);
          }
          Activity.getExecutionContext().heartbeat(null);
          Thread.sleep(20);
        }
      } catch (ActivityCompletionException canceled) {
        script.call(call + " canceled", () -> null);
        throw canceled;
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(interrupted);
      }
    });
  }

  /** The chunks of {@code call} end the pass from now on. */
  public void finishPass(String call) {
    finishing.add(call);
  }

  public List<BatchControl> controls() {
    synchronized (controls) {
      return List.copyOf(controls);
    }
  }

  private Optional<BatchControl> lastControl() {
    synchronized (controls) {
      return controls.isEmpty() ? Optional.empty()
          : Optional.of(controls.get(controls.size() - 1));
    }
  }

  public List<Object> all() {
    return List.of(new Migration(), new Ddl(), new ExpandContract(), new DualWrite(),
        new Backfill(), new Progressive(), new BlueGreen(), featureFlag, new DropTable());
  }

  final class Migration implements MigrationActivities {
    @Override
    public Plan prepare(MigrationRequest request) {
      return script.call("PrepareMigration", () -> plans.get(request.migrationId()));
    }

    @Override
    public void claimTables(Plan plan) {
      // The strategy steps' tables; the engine also reads a direct step's SQL for them.
      claimed.put(plan.migrationId(), plan.steps().stream().map(dev.zdm.model.plan.PlanStep::table)
          .filter(java.util.Objects::nonNull).distinct().toList());
      script.call("ClaimTables", () -> null);
    }

    @Override
    public void releaseTables(String migrationId) {
      script.call("ReleaseTables", () -> null);
    }
  }

  final class Ddl implements DdlActivities {
    @Override
    public DdlResult runDdl(DdlStatement statement) {
      return script.call("RunDdl " + statement.sql(),
          () -> new DdlResult(statement.description(), 1, attempt()));
    }

    @Override
    public boolean breakerClosed(String migrationId) {
      return script.call("CheckBreaker", script::breakerClosed);
    }
  }

  final class DropTable implements DropTableActivities {
    @Override
    public TableDeprecation deprecateTable(DropTableRequest request) {
      return script.call("DeprecateTable", () -> {
        long now = Activity.getExecutionContext().getInfo().getScheduledTimestamp();
        return new TableDeprecation(now, now + request.options().removalAfter().toMillis(),
            TableDeprecation.State.DEPRECATED);
      });
    }

    @Override
    public void removeTableDeprecation(DropTableRequest request) {
      script.call("RemoveTableDeprecation", () -> null);
    }

    @Override
    public ArchivedTable moveAside(DropTableRequest request) {
      return script.call("MoveTableAside",
          () -> new ArchivedTable(new TableRef("zdm_archive", "archived_" + request.table().name()), 42, 10));
    }

    @Override
    public void moveBack(DropTableRequest request) {
      script.call("MoveTableBack", () -> null);
    }

    @Override
    public String checkArchived(DropTableRequest request, ArchivedTable archived) {
      return script.call("CheckArchivedTable", () -> "the table zdm moved aside, nothing depends on it");
    }

    @Override
    public void dropArchived(DropTableRequest request, ArchivedTable archived) {
      script.call("DropArchivedTable", () -> null);
    }
  }

  final class ExpandContract implements ExpandContractActivities {
    @Override
    public Deprecation deprecateColumn(ExpandContractRequest request) {
      return script.call("DeprecateColumn", () -> {
        long now = Activity.getExecutionContext().getInfo().getScheduledTimestamp();
        return new Deprecation(now, now + request.options().removalAfter().toMillis(), false);
      });
    }

    @Override
    public void removeDeprecation(ExpandContractRequest request) {
      script.call("RemoveDeprecation", () -> null);
    }

    @Override
    public TableRef createArchive(ExpandContractRequest request) {
      return script.call("CreateArchive", () -> new TableRef(request.table().schema(), "archive"));
    }

    @Override
    public ArchiveResult archiveColumn(ExpandContractRequest request) {
      return script.call("ArchiveColumn", () -> new ArchiveResult("archive", 10));
    }

    @Override
    public TableRef createKeptArchive(ExpandContractRequest request) {
      return script.call("CreateKeptArchive", () -> new TableRef(request.table().schema(), "archive"));
    }

    @Override
    public void dropKeptArchive(ExpandContractRequest request) {
      script.call("DropKeptArchive", () -> null);
    }

    @Override
    public void dropColumnWithKeptArchive(ExpandContractRequest request) {
      script.call("DropColumnWithKeptArchive", () -> null);
    }

    @Override
    public void dropArchive(ExpandContractRequest request) {
      script.call("DropArchive", () -> null);
    }

    @Override
    public String checkFidelity(ExpandContractRequest request) {
      return script.call("CheckDropFidelity", () -> "unchanged since the step began");
    }

    @Override
    public void dropColumn(ExpandContractRequest request) {
      script.call("DropColumn", () -> null);
    }
  }

  final class DualWrite implements DualWriteActivities {
    @Override
    public DualWritePlan plan(DualWriteRequest request) {
      return script.call("PlanDualWrite", () -> new DualWritePlan(request, "integer", "bigint",
          "{old}", "{new}", false, new BatchChange.UpdateRows("new = old", "new IS DISTINCT FROM old")));
    }

    @Override
    public void addColumn(DualWritePlan plan) {
      script.call("AddDualWriteColumn", () -> null);
    }

    @Override
    public void installTrigger(DualWritePlan plan) {
      script.call("InstallDualWriteTrigger", () -> null);
    }

    @Override
    public void removeDualWrite(DualWritePlan plan) {
      script.call("RemoveDualWrite", () -> null);
    }

    @Override
    public void enforceNotNull(DualWritePlan plan) {
      script.call("EnforceNotNull", () -> null);
    }

    @Override
    public String carryOver(DualWritePlan plan) {
      return script.call("CarryOverDualWrite", () -> "nothing on the old column to carry over");
    }

    @Override
    public String checkFidelity(DualWritePlan plan) {
      return script.call("CheckDualWriteFidelity", () -> "unchanged since the step began");
    }

    @Override
    public void cutOver(DualWritePlan plan) {
      script.call("CutOverDualWrite", () -> null);
    }
  }

  final class Backfill implements BackfillActivities {
    @Override
    public BackfillChunk runChunk(BackfillRequest request) {
      return script.call("BackfillChunk " + request.step(), () -> new BackfillChunk(
          100, 100, 100, 1, 1000, 100, 0, null, BackfillChunk.End.FINISHED));
    }

    @Override
    public Verification verify(BackfillRequest request) {
      return script.call("VerifyBackfill " + request.step(), () -> new Verification(100, 0, List.of()));
    }

    @Override
    public void setControl(BatchControl control) {
      synchronized (controls) {
        controls.add(control);
      }
      script.call("SetBatchControl" + (control.paused() ? " paused" : ""), () -> null);
    }

    @Override
    public void end(String migrationId, String step, String status) {
      script.call("EndBackfill " + step + " " + status, () -> null);
    }
  }

  final class Progressive implements ProgressiveActivities {
    @Override
    public void buildIndex(ProgressiveRequest request, String indexName, String where) {
      script.call("BuildIndexConcurrently " + indexName, () -> null);
    }

    @Override
    public IndexProgress indexProgress(ProgressiveRequest request) {
      return script.call("IndexBuildProgress", () -> new IndexProgress(false, null, 0, 0, 0, 0));
    }

    @Override
    public void dropIndex(ProgressiveRequest request, String indexName) {
      script.call("DropIndexConcurrently " + indexName, () -> null);
    }

    @Override
    public int lockWaiters(ProgressiveRequest request) {
      return script.call("CountLockWaiters", () -> 0);
    }

    @Override
    public void attachConstraint(ProgressiveRequest request) {
      script.call("AttachIndexConstraint", () -> null);
    }

    @Override
    public void addConstraintNotValid(ProgressiveRequest request) {
      script.call("AddConstraintNotValid", () -> null);
    }

    @Override
    public void validateConstraint(ProgressiveRequest request) {
      script.call("ValidateConstraint", () -> null);
    }

    @Override
    public void dropConstraint(ProgressiveRequest request) {
      script.call("DropConstraint", () -> null);
    }
  }

  final class BlueGreen implements BlueGreenActivities {
    @Override
    public void check(BlueGreenRequest request) {
      script.call("BlueGreenCheck", () -> null);
    }

    @Override
    public void createGreen(BlueGreenRequest request) {
      script.call("BlueGreenCreateGreen", () -> null);
    }

    @Override
    public void installSync(BlueGreenRequest request) {
      script.call("BlueGreenInstallSync", () -> null);
    }

    @Override
    public TableRef greenTable(BlueGreenRequest request) {
      return script.call("BlueGreenGreenTable",
          () -> new TableRef(request.table().schema(), request.table().name() + "_zdm_green"));
    }

    @Override
    public long copyRows(BlueGreenRequest request) {
      return script.call("BlueGreenCopy", () -> 100L);
    }

    @Override
    public long verify(BlueGreenRequest request) {
      return script.call("BlueGreenVerify", () -> 100L);
    }

    @Override
    public String checkFidelity(BlueGreenRequest request) {
      return script.call("BlueGreenCheckFidelity", () -> "unchanged since the step began");
    }

    @Override
    public void switchTables(BlueGreenRequest request) {
      script.call("BlueGreenSwitch", () -> null);
    }

    @Override
    public String checkFidelityBeforeDrop(BlueGreenRequest request) {
      return script.call("BlueGreenCheckFidelityBeforeDrop", () -> "unchanged since the switch");
    }

    @Override
    public void dropOld(BlueGreenRequest request) {
      script.call("BlueGreenDropOld", () -> null);
    }

    @Override
    public void revert(BlueGreenRequest request) {
      script.call("BlueGreenRevert", () -> null);
    }
  }

  private static int attempt() {
    return Activity.getExecutionContext().getInfo().getAttempt();
  }

}
