package dev.zdm.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The strategies zdm can run as workflows, named as on the command line. */
public enum Strategy {
  EXPAND_CONTRACT("expand-contract"),
  DUAL_WRITE("dual-write"),
  PROGRESSIVE("progressive"),
  BLUE_GREEN("blue-green"),
  FEATURE_FLAG("feature-flag");

  private final String cliName;

  Strategy(String cliName) {
    this.cliName = cliName;
  }

  @JsonValue
  public String cliName() {
    return cliName;
  }

  /** Parses a command-line name; the error lists every accepted name. */
  @JsonCreator
  public static Strategy fromCliName(String name) {
    return Arrays.stream(values())
        .filter(s -> s.cliName.equalsIgnoreCase(name) || s.name().equalsIgnoreCase(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown strategy '" + name + "'; expected one of " + allNames()));
  }

  public static String allNames() {
    return Arrays.stream(values()).map(Strategy::cliName).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return cliName;
  }
}
