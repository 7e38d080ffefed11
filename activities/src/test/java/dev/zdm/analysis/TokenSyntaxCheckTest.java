package dev.zdm.analysis;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Token-level syntax errors are reported; valid PostgreSQL that looks similar is not. */
class TokenSyntaxCheckTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "ALTER TABLE t ADD CONSTRAINT ex EXCLUDE USING gist (room WITH =, during WITH &&)",
      "SELECT id FROM t ORDER BY id USING <",
      "SELECT 1 OPERATOR(pg_catalog.+) 2",
      "CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = int4eq, COMMUTATOR = ===)",
      "CREATE AGGREGATE m (int) (SFUNC = int4larger, STYPE = int, SORTOP = >)",
      "SELECT count(*), a[1:2], -1, t.* FROM t WHERE b = ANY ('{1,2}') AND c <> -2",
      "ALTER TABLE ${schema}.t SET (fillfactor = 90)",
      "UPDATE t SET note = 'a,,b ``' WHERE id = 1"})
  void acceptsValidPostgres(String sql) {
    assertThatCode(() -> new StatementClassifier().classify(new SqlStatement(3, sql, null)))
        .doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "UPDATE `orders` SET a = 1",
      "ALTER TABLE t ADD COLUMN c int DEFAULT (1 +)",
      "CREATE TABLE t (a int,, b int)",
      "CREATE INDEX i ON t (a, )",
      "SELECT f(, 1)",
      "DELETE FROM t WHERE a = 1 AND"})
  void reportsCertainSyntaxErrorsWithTheirLine(String sql) {
    assertThatThrownBy(() -> new StatementClassifier().classify(new SqlStatement(3, sql, null)))
        .isInstanceOf(InvalidSqlException.class)
        .hasMessageContaining("syntax error");
  }
}
