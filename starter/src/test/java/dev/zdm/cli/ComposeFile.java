package dev.zdm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** docker-compose.yml read as compose reads it, with {@code ${NAME:-default}} set to its default. */
record ComposeFile(JsonNode root) {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern DEFAULTED = Pattern.compile("\\$\\{[A-Z0-9_]+:-([^}]*)}");

  static ComposeFile read(Path file) throws IOException {
    return new ComposeFile(YAML.readTree(file.toFile()));
  }

  List<String> serviceNames() {
    List<String> names = new ArrayList<>();
    root.path("services").fieldNames().forEachRemaining(names::add);
    return names;
  }

  JsonNode service(String name) {
    JsonNode service = root.path("services").path(name);
    if (service.isMissingNode()) {
      throw new AssertionError("docker-compose.yml has no service " + name);
    }
    return service;
  }

  /** The service's environment in either compose form (list of NAME=value, or a map). */
  Map<String, String> environment(String name) {
    Map<String, String> env = new LinkedHashMap<>();
    JsonNode node = service(name).path("environment");
    if (node.isArray()) {
      node.forEach(entry -> {
        String text = entry.asText();
        int equals = text.indexOf('=');
        env.put(text.substring(0, equals), withDefaults(text.substring(equals + 1)));
      });
    } else {
      node.fields().forEachRemaining(e -> env.put(e.getKey(), withDefaults(e.getValue().asText())));
    }
    return env;
  }

  List<String> strings(String service, String key) {
    List<String> values = new ArrayList<>();
    service(service).path(key).forEach(value -> values.add(value.asText()));
    return values;
  }

  /** depends_on as service → condition (the short list form means service_started). */
  Map<String, String> dependsOn(String name) {
    Map<String, String> conditions = new LinkedHashMap<>();
    JsonNode node = service(name).path("depends_on");
    if (node.isArray()) {
      node.forEach(dependency -> conditions.put(dependency.asText(), "service_started"));
    } else {
      node.fields().forEachRemaining(e -> conditions.put(e.getKey(), e.getValue().path("condition").asText("service_started")));
    }
    return conditions;
  }

  static String withDefaults(String value) {
    Matcher matcher = DEFAULTED.matcher(value);
    return matcher.replaceAll(match -> Matcher.quoteReplacement(match.group(1)));
  }
}
