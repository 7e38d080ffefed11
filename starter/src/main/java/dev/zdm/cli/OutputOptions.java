package dev.zdm.cli;

import picocli.CommandLine.Option;

/** {@code --json}: machine-readable output instead of text. */
public class OutputOptions {
  @Option(names = "--json", description = "Print JSON (a stable contract, see docs/cli.md) instead of text.")
  boolean json;
}
