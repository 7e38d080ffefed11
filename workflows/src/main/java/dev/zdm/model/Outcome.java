package dev.zdm.model;

/** How a migration ended when its workflow completed normally. */
public enum Outcome {
  COMPLETED,
  ROLLED_BACK
}
