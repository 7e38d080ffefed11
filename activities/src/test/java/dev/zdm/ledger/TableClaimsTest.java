package dev.zdm.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.model.TableRef;
import dev.zdm.testing.TestDatabase;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TableClaimsTest {
  private TestDatabase db;
  private TableRef orders;
  private TableRef customers;

  @BeforeEach
  void createSchema() {
    db = TestDatabase.create("claims");
    orders = new TableRef(db.schema(), "orders");
    customers = new TableRef(db.schema(), "customers");
  }

  @AfterEach
  void dropSchema() {
    db.close();
  }

  private TableClaims claims(int maxConcurrentMigrations) {
    return new TableClaims(db.dataSource(), new Ledger(db.dataSource(), db.schema()), maxConcurrentMigrations);
  }

  private List<String> holders() throws SQLException {
    return db.column("SELECT migration_id || ':' || table_name FROM _migration_table_claims ORDER BY 1");
  }

  @Test
  void aSecondMigrationOnTheSameTableIsRefusedNamingTheFirst() throws SQLException {
    TableClaims claims = claims(2);
    claims.claim("first", List.of(orders));

    assertThatThrownBy(() -> claims.claim("second", List.of(customers, orders)))
        .isInstanceOfSatisfying(ZdmException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.REFUSED);
          assertThat(e.getMessage()).contains("[second]", "orders", "being migrated by first");
        });
    assertThat(holders()).as("the refused one claims nothing, not even its free table")
        .containsExactly("first:orders");
  }

  @Test
  void onceTheFirstEndsTheSecondClaimsTheTable() throws SQLException {
    TableClaims claims = claims(1);
    claims.claim("first", List.of(orders));
    assertThat(claims.release("first")).isEqualTo(1);

    claims.claim("second", List.of(orders));

    assertThat(holders()).containsExactly("second:orders");
  }

  @Test
  void aRetriedClaimOfTheSameMigrationKeepsItsClaims() throws SQLException {
    TableClaims claims = claims(1);
    claims.claim("first", List.of(orders, orders));
    claims.claim("first", List.of(orders, customers));

    assertThat(holders()).containsExactly("first:customers", "first:orders");
  }

  @Test
  void theLimitOfConcurrentMigrationsRefusesAnotherTable() throws SQLException {
    claims(1).claim("first", List.of(orders));

    assertThatThrownBy(() -> claims(1).claim("second", List.of(customers)))
        .isInstanceOfSatisfying(ZdmException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.REFUSED);
          assertThat(e.getMessage()).contains("[second]", "(first)", "maxConcurrentMigrations is 1");
        });
    claims(2).claim("second", List.of(customers));
    assertThat(holders()).containsExactly("first:orders", "second:customers");
  }

  @Test
  void workersClaimingAtOnceLetOneMigrationThrough() throws Exception {
    int workers = 4;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      List<Future<Boolean>> outcomes = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        String id = "m" + i;
        TableRef table = new TableRef(db.schema(), "t" + i);
        Callable<Boolean> claim = () -> {
          start.await();
          try {
            claims(1).claim(id, List.of(table));
            return true;
          } catch (ZdmException refused) {
            return false;
          }
        };
        outcomes.add(pool.submit(claim));
      }
      start.countDown();
      int through = 0;
      for (Future<Boolean> outcome : outcomes) {
        through += outcome.get() ? 1 : 0;
      }
      assertThat(through).isEqualTo(1);
      assertThat(db.count("SELECT count(DISTINCT migration_id) FROM _migration_table_claims")).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void releasingAMigrationLeavesOthersClaims() throws SQLException {
    TableClaims claims = claims(2);
    claims.claim("first", List.of(orders));
    claims.claim("second", List.of(customers));

    assertThat(claims.release("first")).isEqualTo(1);
    assertThat(claims.release("first")).as("released twice").isZero();
    assertThat(holders()).containsExactly("second:customers");
  }
}
