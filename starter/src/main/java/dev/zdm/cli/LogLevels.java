package dev.zdm.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Short commands log warnings only; long-running processes (worker, dev) log what they do. */
final class LogLevels {
  private LogLevels() {}

  static void forLongRunningProcess() {
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
    ((Logger) LoggerFactory.getLogger("dev.zdm")).setLevel(Level.INFO);
  }
}
