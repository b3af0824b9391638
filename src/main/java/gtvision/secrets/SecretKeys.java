package gtvision.secrets;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;

/**
 * The node's secrets keys from {@code gtv.secrets}: the configured key, or, on embedded defaults, one
 * generated once and kept in a file under the data directory so that a restart opens what was sealed
 * before. Read once at start (file I/O, outside any actor).
 */
public final class SecretKeys {
  static final String KEY_FILE = "secrets.key";

  private SecretKeys() {}

  /** The box of the node's keys; a malformed key stops the start with a message naming its setting. */
  public static SecretBox load(Config root, Logger log) {
    Config secrets = root.getConfig("gtv.secrets");
    List<byte[]> previous = new ArrayList<>();
    for (String item : secrets.getString("previous-keys").split(",")) {
      if (!item.isBlank()) previous.add(decode(item.strip(), "gtv.secrets.previous-keys (GTV_SECRETS_PREVIOUS_KEYS)"));
    }
    String configured = secrets.getString("key").strip();
    byte[] current;
    if (!configured.isEmpty()) {
      current = decode(configured, "gtv.secrets.key (GTV_SECRETS_KEY)");
    } else {
      Path file = secrets.getString("key-file").isBlank()
          ? Path.of(root.getString("gtv.data-dir"), KEY_FILE)
          : Path.of(secrets.getString("key-file"));
      current = fromFile(file.toAbsolutePath());
      log.warn("No gtv.secrets.key (GTV_SECRETS_KEY) configured: camera credentials are encrypted with the key kept "
          + "in {} (key id {}). Back that file up with the database; every node of a cluster needs the same key, "
          + "so set GTV_SECRETS_KEY on clusters.", file.toAbsolutePath(), SecretBox.keyId(current));
    }
    SecretBox box;
    try {
      box = new SecretBox(current, previous);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("gtv.secrets: " + e.getMessage(), e);
    }
    log.info("Secrets key id {}, {} previous key(s)", box.currentKeyId(), previous.size());
    return box;
  }

  private static byte[] decode(String base64, String setting) {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(setting + " is not base64 (generate one with: openssl rand -base64 32)");
    }
    if (key.length != 32) {
      throw new IllegalArgumentException(setting + " must be base64 of 32 bytes, it has " + key.length
          + " (generate one with: openssl rand -base64 32)");
    }
    return key;
  }

  /**
   * The key in {@code file}, generated there first when there is none. Two nodes of one data directory
   * starting at once agree: the key is written to a temporary file and linked into place, which fails
   * for the second, which then reads the first's.
   */
  static byte[] fromFile(Path file) {
    try {
      if (!Files.exists(file)) {
        Files.createDirectories(file.getParent());
        Path temp = Files.createTempFile(file.getParent(), KEY_FILE, ".tmp");
        try {
          restrict(temp);
          Files.writeString(temp, Base64.getEncoder().encodeToString(SecretBox.randomKey()) + "\n");
          Files.createLink(file, temp);
        } catch (FileAlreadyExistsException raced) {
          // Another node of the same data directory made it first: its key counts.
        } finally {
          Files.deleteIfExists(temp);
        }
      }
      return decode(Files.readString(file, StandardCharsets.US_ASCII).strip(), "the secrets key file " + file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the secrets key file " + file, e);
    }
  }

  private static void restrict(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // Windows: the file inherits the data directory's ACL.
    }
  }
}
