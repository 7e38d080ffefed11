package dev.zdm.dualwrite;

import dev.zdm.backfill.BackfillCarry;
import dev.zdm.model.StepRecord;
import java.util.List;

/** What a dual-write run hands the next one when it continues as new during the backfill. */
public record DualWriteContinuation(DualWritePlan plan, BackfillCarry backfill, List<StepRecord> steps) {}
