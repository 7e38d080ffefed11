package dev.zdm.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Names from a readable part and a hash of the identity: distinct, and within 63 bytes. */
class HashedNameTest {

  @Test
  void partsThatJoinToTheSameTextGetDifferentNames() {
    String first = HashedName.of("_zdm_archive_", "a_b_c", "s", "a", "b_c");
    String second = HashedName.of("_zdm_archive_", "a_b_c", "s", "a_b", "c");
    assertThat(first).startsWith("_zdm_archive_a_b_c_").isNotEqualTo(second);
    assertThat(HashedName.of("_zdm_archive_", "a_b_c", "other", "a", "b_c")).as("another schema").isNotEqualTo(first);
    assertThat(HashedName.of("_zdm_archive_", "a_b_c", "s", "a", "b_c")).as("stable").isEqualTo(first);
  }

  @Test
  void longAndMultiByteNamesAreCutToFitWithoutSplittingACharacter() {
    String name = HashedName.of("_zdm_archive_", "ä".repeat(80), "s", "t", "c");
    assertThat(name.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(Identifiers.MAX_IDENTIFIER_BYTES);
    assertThat(name).matches("_zdm_archive_ä+_[0-9a-f]{10}");
    String other = HashedName.of("_zdm_archive_", "ä".repeat(80), "s", "t", "d");
    assertThat(other).isNotEqualTo(name);
  }
}
