package dev.zdm.client;

import dev.zdm.analysis.MigrationScript;
import dev.zdm.analysis.SqlSplitter;
import dev.zdm.error.ZdmException;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationRequest;
import dev.zdm.model.Strategy;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a migration file into a request, checking locally what can be checked without a server
 * (readable, UTF-8, splittable, well-formed @metadata), so bad input fails before anything starts.
 */
public final class MigrationFiles {
  private MigrationFiles() {}

  public static MigrationRequest load(
      Path file, String id, Strategy strategy, MigrationOptions options) {
    String sql = read(file);
    MigrationScript script = new SqlSplitter().split(file.toString(), sql);
    if (script.statements().isEmpty()) {
      throw ZdmException.badInput(file + ": the file holds no SQL statement");
    }
    String migrationId = id != null ? id : idFromFileName(file);
    try {
      return new MigrationRequest(migrationId, file.getFileName().toString(), sql, strategy, options);
    } catch (IllegalArgumentException e) {
      throw ZdmException.badInput(e.getMessage() + (id == null ? "; pass one with --id" : ""));
    }
  }

  public static String read(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (NoSuchFileException e) {
      throw ZdmException.badInput("cannot read " + file + ": no such file");
    } catch (CharacterCodingException e) {
      throw ZdmException.badInput("cannot read " + file + ": it is not UTF-8 text");
    } catch (IOException e) {
      throw ZdmException.badInput("cannot read " + file + ": " + e.getMessage());
    }
  }

  /** {@code migrations/V42__drop_legacy.sql} -> {@code V42__drop_legacy}. */
  static String idFromFileName(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String stem = dot > 0 ? name.substring(0, dot) : name;
    return stem.replaceAll("[^A-Za-z0-9._-]", "-");
  }
}
