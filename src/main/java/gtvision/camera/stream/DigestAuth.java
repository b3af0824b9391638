package gtvision.camera.stream;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP Digest authentication (RFC 7616, and RFC 2069 when the camera offers no qop), as IP cameras
 * use it for snapshots and MJPEG. One instance per camera connection: it keeps the server's nonce and
 * counts requests (nc) so that later requests authenticate without another 401 round trip.
 */
final class DigestAuth {
  private final String user;
  private final String password;
  private final Map<String, String> challenge;
  private final SecureRandom random;
  private long nonceCount;

  private DigestAuth(String user, String password, Map<String, String> challenge, SecureRandom random) {
    this.user = user;
    this.password = password;
    this.challenge = challenge;
    this.random = random;
  }

  /** The challenge of a {@code WWW-Authenticate: Digest ...} header, or null when it is not Digest. */
  static DigestAuth fromChallenge(String header, String user, String password, SecureRandom random) {
    if (header == null || !header.regionMatches(true, 0, "Digest ", 0, 7)) return null;
    Map<String, String> params = parseParams(header.substring(7));
    if (!params.containsKey("nonce") || !params.containsKey("realm")) return null;
    return new DigestAuth(user, password, params, random);
  }

  boolean stale() {
    return "true".equalsIgnoreCase(challenge.get("stale"));
  }

  /** The Authorization header value for one request. */
  String authorization(String method, String uri) {
    return authorization(method, uri, HexFormat.of().formatHex(randomBytes(8)));
  }

  synchronized String authorization(String method, String uri, String cnonce) {
    String algorithm = challenge.getOrDefault("algorithm", "MD5");
    String hashName = algorithm.toUpperCase(Locale.ROOT).startsWith("SHA-256") ? "SHA-256" : "MD5";
    String realm = challenge.get("realm");
    String nonce = challenge.get("nonce");
    String qop = chooseQop(challenge.get("qop"));
    String nc = String.format("%08x", ++nonceCount);

    String ha1 = hash(hashName, user + ":" + realm + ":" + password);
    if (algorithm.toLowerCase(Locale.ROOT).endsWith("-sess")) ha1 = hash(hashName, ha1 + ":" + nonce + ":" + cnonce);
    String ha2 = hash(hashName, method + ":" + uri);
    String response = qop == null
        ? hash(hashName, ha1 + ":" + nonce + ":" + ha2)
        : hash(hashName, ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop + ":" + ha2);

    StringBuilder header = new StringBuilder("Digest ");
    header.append("username=\"").append(user).append("\", realm=\"").append(realm)
        .append("\", nonce=\"").append(nonce).append("\", uri=\"").append(uri)
        .append("\", algorithm=").append(algorithm).append(", response=\"").append(response).append('"');
    if (qop != null) header.append(", qop=").append(qop).append(", nc=").append(nc).append(", cnonce=\"").append(cnonce).append('"');
    if (challenge.containsKey("opaque")) header.append(", opaque=\"").append(challenge.get("opaque")).append('"');
    return header.toString();
  }

  private static String chooseQop(String offered) {
    if (offered == null) return null;
    for (String option : offered.split(",")) {
      if (option.strip().equalsIgnoreCase("auth")) return "auth";
    }
    // auth-int (body integrity) is pointless for a GET and no camera offers only that.
    return null;
  }

  private byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    random.nextBytes(bytes);
    return bytes;
  }

  static String hash(String algorithm, String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is part of every JDK", e);
    }
  }

  /** Parses {@code key=value, key="quoted, value"} lists. */
  static Map<String, String> parseParams(String text) {
    Map<String, String> params = new LinkedHashMap<>();
    int i = 0;
    int n = text.length();
    while (i < n) {
      while (i < n && (text.charAt(i) == ',' || Character.isWhitespace(text.charAt(i)))) i++;
      int eq = text.indexOf('=', i);
      if (eq < 0) break;
      String key = text.substring(i, eq).strip().toLowerCase(Locale.ROOT);
      i = eq + 1;
      String value;
      if (i < n && text.charAt(i) == '"') {
        StringBuilder sb = new StringBuilder();
        i++;
        while (i < n && text.charAt(i) != '"') {
          if (text.charAt(i) == '\\' && i + 1 < n) i++;
          sb.append(text.charAt(i++));
        }
        i++;
        value = sb.toString();
      } else {
        int end = text.indexOf(',', i);
        if (end < 0) end = n;
        value = text.substring(i, end).strip();
        i = end;
      }
      params.put(key, value);
    }
    return params;
  }
}
