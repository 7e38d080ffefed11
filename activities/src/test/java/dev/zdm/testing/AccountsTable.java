package dev.zdm.testing;

import dev.zdm.model.TableRef;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code accounts} table the strategy tests migrate under application writes: where it is,
 * and the values its seed rows start with ({@code amount = id % 1000}).
 */
public final class AccountsTable {
  private final TestDatabase db;

  public AccountsTable(TestDatabase db) {
    this.db = db;
  }

  public TableRef ref() {
    return new TableRef(db.schema(), "accounts");
  }

  /** {@code "schema".accounts}, for SQL the tests write themselves. */
  public String qualified() {
    return "\"" + db.schema() + "\".accounts";
  }

  /** The amount of every seed row, keyed by id, as the writers' starting expectation. */
  public static Map<Long, Long> seedAmounts(int rows) {
    Map<Long, Long> amounts = new HashMap<>();
    for (long id = 1; id <= rows; id++) {
      amounts.put(id, id % 1000);
    }
    return amounts;
  }
}
