package gtvision.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * API keys look like {@code gtv_<id>_<secret>}: the id finds the stored row, the secret (256 random bits)
 * is stored only as its SHA-256. A slow hash is not needed for a secret nobody chose: it cannot be
 * guessed from a dictionary, and a fast check keeps every request cheap.
 */
final class ApiKeys {
  static final String PREFIX = "gtv_";
  private final SecureRandom random = new SecureRandom();

  /** A new key: its id and the whole key shown once to whoever created it. */
  record NewKey(String id, String key, String hash) {}

  /** The parts of a presented key. */
  record Presented(String id, String secret) {}

  NewKey create() {
    byte[] id = new byte[8];
    byte[] secret = new byte[32];
    random.nextBytes(id);
    random.nextBytes(secret);
    String idText = HexFormat.of().formatHex(id);
    String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    return new NewKey(idText, PREFIX + idText + "_" + secretText, hash(secretText));
  }

  static boolean looksLikeKey(String bearer) {
    return bearer.startsWith(PREFIX);
  }

  static Optional<Presented> parse(String bearer) {
    if (!looksLikeKey(bearer)) return Optional.empty();
    String rest = bearer.substring(PREFIX.length());
    int sep = rest.indexOf('_');
    if (sep != 16 || rest.length() < sep + 2) return Optional.empty();
    String id = rest.substring(0, sep);
    if (!id.chars().allMatch(c -> Character.digit(c, 16) >= 0)) return Optional.empty();
    return Optional.of(new Presented(id, rest.substring(sep + 1)));
  }

  static String hash(String secret) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static boolean matches(String secret, String storedHash) {
    return MessageDigest.isEqual(hash(secret).getBytes(StandardCharsets.US_ASCII), storedHash.getBytes(StandardCharsets.US_ASCII));
  }
}
