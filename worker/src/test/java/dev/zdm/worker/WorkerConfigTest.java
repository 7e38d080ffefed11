package dev.zdm.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.ledger.TableClaims;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerConfigTest {

  @Test
  void maxConcurrentMigrationsDefaultsToOneAndIsReadFromTheEnvironment() {
    assertThat(WorkerConfig.fromEnvironment(Map.of()).maxConcurrentMigrations())
        .isEqualTo(TableClaims.DEFAULT_MAX_CONCURRENT_MIGRATIONS).isEqualTo(1);
    assertThat(WorkerConfig.fromEnvironment(
        Map.of(WorkerConfig.ENV_MAX_CONCURRENT_MIGRATIONS, " 3 ")).maxConcurrentMigrations()).isEqualTo(3);
  }

  @Test
  void aMaxConcurrentMigrationsBelowOneOrNotANumberIsBadInput() {
    for (String value : new String[] {"0", "-2", "two"}) {
      assertThatThrownBy(() -> WorkerConfig.fromEnvironment(
          Map.of(WorkerConfig.ENV_MAX_CONCURRENT_MIGRATIONS, value)))
          .isInstanceOfSatisfying(ZdmException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
            assertThat(e.getMessage()).contains("ZDM_MAX_CONCURRENT_MIGRATIONS");
          });
    }
  }
}
