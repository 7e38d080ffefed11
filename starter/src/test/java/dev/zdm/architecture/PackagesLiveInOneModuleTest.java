package dev.zdm.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A package name lives in one module only: a split package hides which side (workflow contract or
 * database engine) a class belongs to and lets code reach across layers without an import.
 */
class PackagesLiveInOneModuleTest {
  private static final List<String> MODULES = List.of("workflows", "activities", "worker", "dev-stack", "starter", "slim", "flag-client");

  @Test
  void noPackageNameIsSplitAcrossModules() throws IOException {
    Map<String, Set<String>> modulesByPackage = new TreeMap<>();
    for (String module : MODULES) {
      for (String packageName : packagesOf(Path.of("..", module))) {
        modulesByPackage.computeIfAbsent(packageName, key -> new TreeSet<>()).add(module);
      }
    }
    Map<String, Set<String>> split = new HashMap<>();
    modulesByPackage.forEach((packageName, modules) -> {
      if (modules.size() > 1) {
        split.put(packageName, modules);
      }
    });
    assertThat(modulesByPackage).as("packages found").containsKey("dev.zdm.migration");
    assertThat(split).isEmpty();
  }

  private static Set<String> packagesOf(Path module) throws IOException {
    Set<String> packages = new TreeSet<>();
    for (String kind : List.of("main", "test")) {
      Path sources = module.resolve("src").resolve(kind).resolve("java");
      if (!Files.isDirectory(sources)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(sources)) {
        files.filter(file -> file.toString().endsWith(".java"))
            .map(file -> sources.relativize(file.getParent()).toString().replace('/', '.'))
            .forEach(packages::add);
      }
    }
    return packages;
  }
}
