package dev.zdm.planning;

import dev.zdm.model.MigrationOptions;
import dev.zdm.model.TableRef;
import dev.zdm.model.plan.BlueGreenStep;
import dev.zdm.postgres.Identifiers;
import java.util.List;
import java.util.stream.Stream;

/** A table rebuilt as a green copy, synced, verified and switched. */
final class BlueGreenPlanning implements StepPlanning<BlueGreenStep> {

  @Override
  public Class<BlueGreenStep> stepType() {
    return BlueGreenStep.class;
  }

  @Override
  public List<PlanPhase> phases(BlueGreenStep step, MigrationOptions options) {
    TableRef green = new TableRef(step.table().schema(),
        Identifiers.generatedName("", step.table().name(), "green"));
    TableRef old = new TableRef(step.table().schema(),
        Identifiers.generatedName("", step.table().name(), "old"));
    String t = Identifiers.quote(step.table());
    String g = Identifiers.quote(green);
    return List.of(
        new PlanPhase("create green", Stream.concat(Stream.of("CREATE TABLE " + g + " (LIKE " + t
            + " INCLUDING ALL)"), step.greenChanges().stream()
            .map(sql -> sql + "  -- applied to " + green.displayName())).toList(), null,
            List.of("DROP TABLE " + g)),
        new PlanPhase("sync", List.of("triggers on " + t + " for INSERT, UPDATE and DELETE keep " + g
            + " in step"), null, List.of("DROP TRIGGER ... ON " + t)),
        new PlanPhase("copy", List.of("INSERT INTO " + g + " SELECT ... FROM " + t
            + " WHERE <key range> ON CONFLICT DO NOTHING  -- batches"), null, List.of()),
        new PlanPhase("verify", List.of("compare counts and checksums of " + t + " and " + g), null,
            List.of()),
        PlanPhase.fidelityCheck(step.table().displayName() + " as it was when the copy was made, apart from"
            + " the sync trigger"),
        new PlanPhase("switch", List.of("SET lock_timeout = '" + options.lockTimeout().toMillis() + "ms'",
            "ALTER TABLE " + t + " RENAME TO " + Identifiers.quote(old.name()),
            "ALTER TABLE " + g + " RENAME TO " + Identifiers.quote(step.table().name())
                + "  -- both in one short transaction, retried"), null,
            List.of("swap the names back (reverse sync keeps " + old.displayName() + " current)")),
        new PlanPhase("approve", List.of(), "approval: zdm approve (dropping " + old.displayName()
            + " is irreversible)", List.of()),
        new PlanPhase("fidelity check", List.of("compare " + step.table().displayName() + "'s catalog description"
            + " with the one stored in the switch's transaction; any difference (an index, constraint,"
            + " grant or policy lost while the drop waited) stops here, and the names are swapped back"),
            null, List.of()),
        new PlanPhase("drop blue", List.of("DROP TABLE " + Identifiers.quote(old)), null, List.of()));
  }

  @Override
  public boolean readsEveryRow(BlueGreenStep step) {
    return true;
  }
}
