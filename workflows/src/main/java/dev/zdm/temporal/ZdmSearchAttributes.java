package dev.zdm.temporal;

import io.temporal.common.SearchAttributeKey;
import java.util.List;

/** The Keyword search attributes every zdm workflow sets, so the Web UI can filter on them. */
public final class ZdmSearchAttributes {
  public static final SearchAttributeKey<String> MIGRATION_ID =
      SearchAttributeKey.forKeyword("ZdmMigrationId");
  public static final SearchAttributeKey<String> TABLE = SearchAttributeKey.forKeyword("ZdmTable");
  public static final SearchAttributeKey<String> STRATEGY =
      SearchAttributeKey.forKeyword("ZdmStrategy");
  public static final SearchAttributeKey<String> PHASE = SearchAttributeKey.forKeyword("ZdmPhase");
  public static final SearchAttributeKey<String> WAITING_FOR =
      SearchAttributeKey.forKeyword("ZdmWaitingFor");

  /** A flag rollout's flag and its current percentage (a Keyword too: "25"). */
  public static final SearchAttributeKey<String> FLAG = SearchAttributeKey.forKeyword("ZdmFlag");
  public static final SearchAttributeKey<String> FLAG_PERCENTAGE =
      SearchAttributeKey.forKeyword("ZdmFlagPercentage");

  public static final List<SearchAttributeKey<String>> ALL =
      List.of(MIGRATION_ID, TABLE, STRATEGY, PHASE, WAITING_FOR, FLAG, FLAG_PERCENTAGE);

  /** Written when nothing is awaited: a Keyword cannot be unset cleanly on every server. */
  public static final String NOTHING = "none";

  private ZdmSearchAttributes() {}
}
