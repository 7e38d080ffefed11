package dev.zdm.dualwrite;

import dev.zdm.backfill.BackfillCarry;
import dev.zdm.model.StepRecord;
import dev.zdm.workflow.InboxCarry;
import java.util.List;

/**
 * What a dual-write run hands the next one when it continues as new during the backfill.
 *
 * @param inbox controls received and not yet acted on; null in runs of the first release
 */
public record DualWriteContinuation(
    DualWritePlan plan, BackfillCarry backfill, List<StepRecord> steps, InboxCarry inbox) {}
