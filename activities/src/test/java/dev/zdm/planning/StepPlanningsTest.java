package dev.zdm.planning;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry zdm plan and zdm start's validation dispatch through refuses to be incomplete. */
class StepPlanningsTest {

  @Test
  void everyKindOfPlanStepHasExactlyOnePlanning() {
    assertThatCode(StepPlannings::all).doesNotThrowAnyException();
    assertThatThrownBy(() -> new StepPlannings(List.of(new DirectPlanning(), new ExpandContractPlanning(),
        new DualWritePlanning(), new ProgressiveDmlPlanning(), new ConcurrentIndexPlanning(),
        new ConstraintPlanning())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("BlueGreenStep");
    assertThatThrownBy(() -> new StepPlannings(List.of(new DirectPlanning(), new DirectPlanning())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Two plannings");
  }
}
