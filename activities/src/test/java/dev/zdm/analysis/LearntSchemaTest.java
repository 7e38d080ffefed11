package dev.zdm.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What earlier migrations established follows renames and drops, so later verdicts stay right
 * (each case was a disagreement the trace found on real migrations; the facts themselves are
 * checked on the server by AnalyzerClassesTest and TypeDependentVerdictTest).
 */
class LearntSchemaTest {
  @TempDir Path dir;

  @Test
  void aColumnRenamedIntoTheNameOfADroppedNotNullColumnIsStillNullable() throws Exception {
    Files.writeString(dir.resolve("V1__create.sql"), "CREATE TABLE k (id int, kind text NOT NULL);\n");
    Files.writeString(dir.resolve("V2__swap_column.sql"), """
        ALTER TABLE k ADD COLUMN kind_new text;
        ALTER TABLE k DROP COLUMN kind;
        ALTER TABLE k RENAME COLUMN kind_new TO kind;
        ALTER TABLE k ALTER COLUMN kind SET NOT NULL;
        """);

    FileAnalysis second = new MigrationAnalyzer().analyze(List.of(dir.toString())).files().get(1);

    StatementAnalysis setNotNull = second.statements().get(3);
    assertThat(setNotNull.scanUnderLock()).isTrue();
    assertThat(setNotNull.safe()).isFalse();
  }

  @Test
  void aRenamedTableKeepsItsColumnTypes() throws Exception {
    Files.writeString(dir.resolve("V1__create.sql"), "CREATE TABLE a (id int, v varchar(10));\n");
    Files.writeString(dir.resolve("V2__rename.sql"),
        "ALTER TABLE a RENAME TO b;\nALTER TABLE b ALTER COLUMN v TYPE varchar(20);\n");

    FileAnalysis second = new MigrationAnalyzer().analyze(List.of(dir.toString())).files().get(1);

    assertThat(second.statements().get(1).verdict()).isEqualTo("safe");
    assertThat(second.statements().get(1).rewrite()).isFalse();
  }
}
