package gtvision.camera;

import gtvision.SourceUrls;
import gtvision.secrets.SecretBox;
import gtvision.secrets.SecretException;
import gtvision.secrets.SecretKeys;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.LoggerFactory;

/**
 * Camera credentials at rest: a configuration whose URL carries credentials is persisted with the masked
 * URL and the real one sealed ({@link SecretBox}, the camera id as associated data); the entity opens it
 * only to start the stream. A client that sends the masked URL back keeps the stored credentials, for the
 * same scheme and host only: a credential never follows a URL to another host.
 */
public final class CameraCredentials {
  // scheme://[userinfo@]host[:port] rest — userinfo is greedy: a password may hold '@'.
  private static final Pattern PARTS = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*://)(?:([^/?#\\s]*)@)?([^/?#\\s@]*)(.*)$");
  private static final Pattern MASKED_PARAMETER = Pattern.compile("([?&;])([^?&;=#\\s]+)=\\*\\*\\*");

  private final SecretBox box;

  public CameraCredentials(SecretBox box) {
    this.box = box;
  }

  /** The node's credentials, with the keys of {@code gtv.secrets} (a generated one on embedded defaults). */
  public static CameraCredentials of(ActorSystem<?> system) {
    return new CameraCredentials(SecretKeys.load(system.settings().config(), LoggerFactory.getLogger(CameraCredentials.class)));
  }

  /** A configuration to persist, or why not. */
  record Sealed(CameraConfig config, CameraValidator.Problem problem) {
    static Sealed ok(CameraConfig config) {
      return new Sealed(config, null);
    }

    static Sealed invalid(String message) {
      return new Sealed(null, new CameraValidator.Problem("sourceUrl", message));
    }
  }

  /** A new camera's configuration, as validated (the URL as sent). */
  Sealed forRegister(String cameraId, CameraConfig sent) {
    if (SourceUrls.isMasked(sent.sourceUrl())) {
      return Sealed.invalid("sourceUrl has a masked credential (" + SourceUrls.MASK + "); send the real one");
    }
    return Sealed.ok(seal(cameraId, sent));
  }

  /**
   * An update of a camera whose configuration is {@code stored}. The same real URL keeps the stored sealed
   * value (a fresh nonce would look like a change and restart the stream).
   */
  Sealed forUpdate(String cameraId, CameraConfig sent, CameraConfig stored) {
    String url = sent.sourceUrl();
    Optional<String> storedReal = tryOpen(cameraId, stored);
    if (SourceUrls.isMasked(url)) {
      if (storedReal.isEmpty()) {
        return Sealed.invalid("the stored credential of camera " + cameraId + " cannot be read; send the real one");
      }
      Optional<String> restored = restore(url, storedReal.get());
      if (restored.isEmpty()) {
        return Sealed.invalid("a masked credential (" + SourceUrls.MASK + ") is kept only with the same scheme, host "
            + "and user; send the real credential to change them");
      }
      url = restored.get();
    }
    if (stored.sealedSourceUrl() != null && storedReal.isPresent() && url.equals(storedReal.get())) {
      return Sealed.ok(sent.withSource(stored.sourceUrl(), stored.sealedSourceUrl()));
    }
    return Sealed.ok(seal(cameraId, sent.withSource(url, null)));
  }

  /** The configuration the stream runs with: the real URL. */
  CameraConfig open(String cameraId, CameraConfig config) throws SecretException {
    // Events written before credentials were sealed, and URLs without credentials, carry the real URL.
    if (config.sealedSourceUrl() == null) return config;
    return config.withSource(box.open(config.sealedSourceUrl(), cameraId), null);
  }

  private Optional<String> tryOpen(String cameraId, CameraConfig stored) {
    try {
      return Optional.of(open(cameraId, stored).sourceUrl());
    } catch (SecretException e) {
      return Optional.empty();
    }
  }

  private CameraConfig seal(String cameraId, CameraConfig config) {
    String url = config.sourceUrl();
    if (!SourceUrls.hasCredentials(url)) return config.withSource(url, null);
    return config.withSource(SourceUrls.mask(url), box.seal(url, cameraId));
  }

  /** {@code masked} with its {@code ***} replaced by {@code real}'s credentials, when both name the same host. */
  static Optional<String> restore(String masked, String real) {
    Matcher m = PARTS.matcher(masked);
    Matcher r = PARTS.matcher(real);
    if (!m.matches() || !r.matches()) return Optional.empty();
    if (!m.group(1).equalsIgnoreCase(r.group(1)) || !m.group(3).equalsIgnoreCase(r.group(3))) return Optional.empty();
    String userInfo = m.group(2);
    if (userInfo != null && userInfo.contains(SourceUrls.MASK)) {
      // Only the credential that masks to exactly what was sent: same user, password kept.
      String realUserInfo = r.group(2);
      if (realUserInfo == null) return Optional.empty();
      String maskedReal = SourceUrls.mask(r.group(1) + realUserInfo + "@" + r.group(3));
      if (!maskedReal.equals(m.group(1) + userInfo + "@" + m.group(3))) return Optional.empty();
      userInfo = realUserInfo;
    }
    StringBuilder rest = new StringBuilder();
    Matcher p = MASKED_PARAMETER.matcher(m.group(4));
    while (p.find()) {
      Matcher value = Pattern.compile("[?&;]" + Pattern.quote(p.group(2)) + "=([^&;#\\s]*)").matcher(r.group(4));
      if (!value.find()) return Optional.empty();
      p.appendReplacement(rest, Matcher.quoteReplacement(p.group(1) + p.group(2) + "=" + value.group(1)));
    }
    p.appendTail(rest);
    String restored = m.group(1) + (userInfo == null ? "" : userInfo + "@") + m.group(3) + rest;
    return SourceUrls.isMasked(restored) ? Optional.empty() : Optional.of(restored);
  }
}
