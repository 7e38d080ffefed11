package dev.zdm.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.error.ZdmException;
import dev.zdm.model.TableRef;
import org.junit.jupiter.api.Test;

class DatabaseConfigTest {
  @Test
  void libpqUrlsBecomeJdbcUrls() {
    assertThat(DatabaseConfig.of("postgresql://app:secret@db.example:6432/shop?sslmode=require").jdbcUrl())
        .isEqualTo("jdbc:postgresql://db.example:6432/shop?sslmode=require&user=app&password=secret");
    assertThat(DatabaseConfig.of("postgres://localhost/app").jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/app");
    assertThat(DatabaseConfig.of(null).jdbcUrl()).isEqualTo(DatabaseConfig.DEFAULT_JDBC_URL);
  }

  @Test
  void passwordsNeverAppearInMessages() {
    DatabaseConfig config = DatabaseConfig.of("jdbc:postgresql://h/db?user=u&password=hunter2");
    assertThat(config.toString()).doesNotContain("hunter2");
    assertThat(config.safeUrl()).doesNotContain("hunter2");
    assertThatThrownBy(() -> DatabaseConfig.of("mysql://u:hunter2@h/db"))
        .isInstanceOf(ZdmException.class).hasMessageNotContaining("hunter2");
  }

  @Test
  void identifiersAreAlwaysQuotedAndGeneratedNamesFit() {
    assertThat(Identifiers.quote("Users")).isEqualTo("\"Users\"");
    assertThat(Identifiers.quote("we\"ird")).isEqualTo("\"we\"\"ird\"");
    assertThat(Identifiers.quote(new TableRef("app", "users"))).isEqualTo("\"app\".\"users\"");
    assertThat(Identifiers.literal("it's")).isEqualTo("'it''s'");
    String name = Identifiers.generatedName("_zdm_archive_", "a".repeat(60), "b".repeat(60));
    assertThat(name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(63);
    assertThat(name).isNotEqualTo(Identifiers.generatedName("_zdm_archive_", "a".repeat(60), "c".repeat(60)));
    assertThatThrownBy(() -> Identifiers.quote("")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void concurrentlyAndFriendsNeverRunInATransaction() {
    assertThat(TransactionRules.mayRunInTransaction("CREATE INDEX CONCURRENTLY i ON t (a)")).isFalse();
    assertThat(TransactionRules.mayRunInTransaction("vacuum t")).isFalse();
    assertThat(TransactionRules.mayRunInTransaction("CREATE INDEX i ON t (a)")).isTrue();
    assertThat(TransactionRules.mayRunInTransaction("COMMENT ON TABLE t IS 'built CONCURRENTLY'")).isTrue();
    assertThat(TransactionRules.mayRunInTransaction("-- CONCURRENTLY\nCREATE INDEX i ON t (a)")).isTrue();
  }
}
