package dev.zdm.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.temporal.ZdmNames;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MigrationOptionsTest {
  @Test
  void defaultsAreTheDocumentedOnes() {
    MigrationOptions options = MigrationOptions.defaults();
    assertThat(options.removalAfter()).isEqualTo(Duration.ofDays(30));
    assertThat(options.lockTimeout()).isEqualTo(Duration.ofMillis(200));
    assertThat(options.requireApproval()).isTrue();
  }

  @Test
  void badValuesAreRefusedWithTheFieldAndTheLimit() {
    assertThatThrownBy(() -> new MigrationOptions(Duration.ofDays(-1), null, null, true, false))
        .hasMessageContaining("removalAfter");
    assertThatThrownBy(() -> new MigrationOptions(null, Duration.ofMinutes(1), null, true, false))
        .hasMessageContaining("lockTimeout").hasMessageContaining("PT10S");
    assertThatThrownBy(() -> new MigrationOptions(null, Duration.ZERO, null, true, false))
        .hasMessageContaining("lockTimeout");
  }

  @Test
  void migrationIdsAreShortPrintableAndTheWorkflowPrefixIsOptional() {
    assertThatThrownBy(() -> new MigrationRequest("bad id!", "f.sql", "SELECT 1", null, null))
        .hasMessageContaining("bad id!");
    assertThat(ZdmNames.migrationId("zdm-users-drop")).isEqualTo("users-drop");
    assertThat(ZdmNames.workflowId("users-drop")).isEqualTo("zdm-users-drop");
    assertThat(ZdmNames.workflowId("zdm-users-drop")).isEqualTo("zdm-users-drop");
    assertThat(ZdmNames.childWorkflowId("m", 2, Strategy.EXPAND_CONTRACT)).isEqualTo("zdm-m-2-expand-contract");
  }

  @Test
  void strategiesParseByTheirCommandLineNames() {
    assertThat(Strategy.fromCliName("expand-contract")).isEqualTo(Strategy.EXPAND_CONTRACT);
    assertThatThrownBy(() -> Strategy.fromCliName("yolo")).hasMessageContaining("expand-contract, dual-write");
  }
}
