package dev.zdm.analysis;

/**
 * PostgreSQL's table-level lock modes, weakest first, with the two questions a user asks: does
 * it block the application's reads (SELECT takes ACCESS SHARE) and its writes (INSERT, UPDATE,
 * DELETE take ROW EXCLUSIVE)? Conflict table from the PostgreSQL manual, "Explicit Locking".
 */
public enum LockMode {
  NONE("none", false, false),
  ACCESS_SHARE("AccessShareLock", false, false),
  ROW_SHARE("RowShareLock", false, false),
  ROW_EXCLUSIVE("RowExclusiveLock", false, false),
  SHARE_UPDATE_EXCLUSIVE("ShareUpdateExclusiveLock", false, false),
  SHARE("ShareLock", false, true),
  SHARE_ROW_EXCLUSIVE("ShareRowExclusiveLock", false, true),
  EXCLUSIVE("ExclusiveLock", false, true),
  ACCESS_EXCLUSIVE("AccessExclusiveLock", true, true);

  private final String pgName;
  private final boolean blocksReads;
  private final boolean blocksWrites;

  LockMode(String pgName, boolean blocksReads, boolean blocksWrites) {
    this.pgName = pgName;
    this.blocksReads = blocksReads;
    this.blocksWrites = blocksWrites;
  }

  /** The name {@code pg_locks.mode} shows, e.g. {@code AccessExclusiveLock}. */
  public String pgName() {
    return pgName;
  }

  public boolean blocksReads() {
    return blocksReads;
  }

  public boolean blocksWrites() {
    return blocksWrites;
  }

  public static LockMode fromPgName(String name) {
    for (LockMode mode : values()) {
      if (mode.pgName.equals(name)) {
        return mode;
      }
    }
    throw new IllegalArgumentException("unknown lock mode " + name);
  }

  public LockMode strongest(LockMode other) {
    return other.ordinal() > ordinal() ? other : this;
  }
}
