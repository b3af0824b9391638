package gtvision.secrets;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals short secrets with AES-256-GCM: a random 96-bit nonce per value, the key's id in the value so
 * that values of an earlier key are still opened after a rotation, and {@code context} (the owner, e.g.
 * the camera id) as associated data, so a value copied to another owner does not open. A sealed value
 * reads {@code gtv-sealed:v1:<key id>:<base64 of nonce and ciphertext>}. Immutable and thread-safe
 * (each call makes its own {@link Cipher}).
 */
public final class SecretBox {
  public static final String PREFIX = "gtv-sealed:v1:";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final int KEY_BYTES = 32;

  private final String currentId;
  private final Map<String, SecretKeySpec> keys;
  private final SecureRandom random = new SecureRandom();

  /** {@code current} seals and opens; {@code previous} only open. Each is 32 bytes. */
  public SecretBox(byte[] current, List<byte[]> previous) {
    Map<String, SecretKeySpec> all = new LinkedHashMap<>();
    this.currentId = keyId(checked(current));
    all.put(currentId, new SecretKeySpec(current, "AES"));
    for (byte[] key : previous) all.putIfAbsent(keyId(checked(key)), new SecretKeySpec(key, "AES"));
    this.keys = Map.copyOf(all);
  }

  /** A box with a fresh random key that lives as long as the box (tests, entities that never stream). */
  public static SecretBox ephemeral() {
    return new SecretBox(randomKey(), List.of());
  }

  public static byte[] randomKey() {
    byte[] key = new byte[KEY_BYTES];
    new SecureRandom().nextBytes(key);
    return key;
  }

  /**
   * The id of a key: the first 8 hex digits of its SHA-256. It names the key in sealed values and logs
   * without revealing it.
   */
  public static String keyId(byte[] key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key), 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  public String currentKeyId() {
    return currentId;
  }

  public static boolean isSealed(String value) {
    return value != null && value.startsWith(PREFIX);
  }

  public String seal(String plain, String context) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentId), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
      byte[] out = ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
      return PREFIX + currentId + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every JDK", e);
    }
  }

  public String open(String sealed, String context) throws SecretException {
    if (!isSealed(sealed)) throw new SecretException("not a sealed value");
    String rest = sealed.substring(PREFIX.length());
    int colon = rest.indexOf(':');
    if (colon < 0) throw new SecretException("damaged sealed value (no key id)");
    String id = rest.substring(0, colon);
    SecretKeySpec key = keys.get(id);
    if (key == null) {
      throw new SecretException("sealed with key " + id + ", which is neither gtv.secrets.key (" + currentId
          + ") nor one of gtv.secrets.previous-keys");
    }
    byte[] data;
    try {
      data = Base64.getUrlDecoder().decode(rest.substring(colon + 1));
    } catch (IllegalArgumentException e) {
      throw new SecretException("damaged sealed value (not base64)");
    }
    if (data.length < NONCE_BYTES + TAG_BITS / 8) throw new SecretException("damaged sealed value (too short)");
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, data, 0, NONCE_BYTES));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      return new String(cipher.doFinal(data, NONCE_BYTES, data.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      // GCM's tag check: another key with the same id (never in practice), or a value changed or moved.
      throw new SecretException("sealed value does not open with key " + id + " (changed, or sealed for another owner)");
    }
  }

  private static byte[] checked(byte[] key) {
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException("a secrets key is " + KEY_BYTES + " bytes (base64 of 32 random bytes), not " + key.length);
    }
    return key;
  }
}
