package dev.zdm.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StartOptionsTest {
  @Test
  void theWaitTimeoutDefaultsAndMustBePositive() {
    assertThat(new StartOptions(false, null, false).planTimeout()).isEqualTo(StartOptions.DEFAULT_PLAN_TIMEOUT);
    assertThatThrownBy(() -> new StartOptions(false, Duration.ZERO, false))
        .isInstanceOfSatisfying(ZdmException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT));
  }
}
