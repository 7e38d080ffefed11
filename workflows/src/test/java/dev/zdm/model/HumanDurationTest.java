package dev.zdm.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HumanDurationTest {
  @Test
  void parsesWhatPeopleType() {
    assertThat(HumanDuration.parse("30d")).isEqualTo(Duration.ofDays(30));
    assertThat(HumanDuration.parse("12h")).isEqualTo(Duration.ofHours(12));
    assertThat(HumanDuration.parse("0s")).isEqualTo(Duration.ZERO);
    assertThat(HumanDuration.parse("200ms")).isEqualTo(Duration.ofMillis(200));
    assertThat(HumanDuration.parse("2w")).isEqualTo(Duration.ofDays(14));
    assertThat(HumanDuration.parse("PT90M")).isEqualTo(Duration.ofMinutes(90));
  }

  @Test
  void refusesTheRestAsBadInput() {
    assertThatThrownBy(() -> HumanDuration.parse("soon"))
        .isInstanceOfSatisfying(ZdmException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
        .hasMessageContaining("30d");
    assertThatThrownBy(() -> HumanDuration.parse("-5d")).isInstanceOf(ZdmException.class);
  }

  @Test
  void formatsTheShortestExactForm() {
    assertThat(HumanDuration.format(Duration.ofDays(30))).isEqualTo("30d");
    assertThat(HumanDuration.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(HumanDuration.format(Duration.ZERO)).isEqualTo("0s");
  }
}
