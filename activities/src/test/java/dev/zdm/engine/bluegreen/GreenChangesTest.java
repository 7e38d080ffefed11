package dev.zdm.engine.bluegreen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.model.TableRef;
import java.util.List;
import org.junit.jupiter.api.Test;

class GreenChangesTest {
  static final TableRef TABLE = new TableRef("app", "Orders");
  static final TableRef GREEN = new TableRef("app", "Orders_zdm_green");

  @Test
  void retargetsSimpleAlterTableFormsAndDropsVacuumFull() {
    assertThat(GreenChanges.rewrite(TABLE, GREEN, List.of(
            "alter table if exists only app.\"Orders\" SET TABLESPACE fast;",
            "ALTER TABLE \"Orders\" ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY",
            "VACUUM (FULL) app.\"Orders\"")))
        .containsExactly(
            "ALTER TABLE \"app\".\"Orders_zdm_green\" SET TABLESPACE fast",
            "ALTER TABLE \"app\".\"Orders_zdm_green\" ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY");
  }

  @Test
  void refusesOtherTablesOtherStatementsAndRenames() {
    assertThatThrownBy(() -> GreenChanges.rewrite(TABLE, GREEN, List.of("ALTER TABLE orders ADD COLUMN x int")))
        .hasMessageContaining("names another table"); // unquoted folds to lower case: not "Orders"
    assertThatThrownBy(() -> GreenChanges.rewrite(TABLE, GREEN, List.of("ALTER TABLE other.\"Orders\" ADD COLUMN x int")))
        .hasMessageContaining("names another table");
    assertThatThrownBy(() -> GreenChanges.rewrite(TABLE, GREEN, List.of("CLUSTER \"Orders\"")))
        .hasMessageContaining("applies only");
    assertThatThrownBy(() -> GreenChanges.rewrite(TABLE, GREEN, List.of("ALTER TABLE \"Orders\" RENAME TO x")))
        .hasMessageContaining("cannot rename");
    assertThatThrownBy(() -> GreenChanges.rewrite(TABLE, GREEN, List.of("ALTER TABLE \"Orders\" ADD x int; DROP TABLE y")))
        .hasMessageContaining("exactly one statement");
    assertThat(GreenChanges.rewrite(TABLE, GREEN, List.of(
            "-- keep it short\nALTER TABLE \"Orders\" ADD CONSTRAINT no_overlap EXCLUDE USING gist (r WITH &&) WHERE (note <> ';');")))
        .containsExactly("ALTER TABLE \"app\".\"Orders_zdm_green\" ADD CONSTRAINT no_overlap EXCLUDE USING gist (r WITH &&) WHERE (note <> ';')");
  }
}
