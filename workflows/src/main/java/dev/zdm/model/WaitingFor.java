package dev.zdm.model;

/** The values of {@code waitingFor} in status, search attributes and the JSON contract. */
public final class WaitingFor {
  public static final String DEPLOYMENT = "deployment";
  public static final String DEPLOYMENT_READS = "deployment:reads";
  public static final String DEPLOYMENT_WRITES = "deployment:writes";
  public static final String REMOVAL_DATE = "removal-date";
  public static final String APPROVAL = "approval";
  /** A table moved aside waits out its retention period before it is dropped (still restorable). */
  public static final String RETENTION = "retention";
  public static final String BREAKER = "breaker";
  public static final String RESUME = "resume";
  public static final String THROTTLE = "throttle";
  /** A held flag rollout waits for {@code zdm flag continue}. */
  public static final String CONTINUE = "continue";
  /** A dual-write whose reads gate is a flag waits for the flag's rollout to reach 100 %. */
  public static final String FLAG = "flag";
  /** An undo failed for a reason retrying alone will not fix: a person must look, then retry it. */
  public static final String INTERVENTION = "intervention";

  private WaitingFor() {}
}
