package gtvision;

import java.util.regex.Pattern;

/**
 * Camera URLs carry credentials: a password ({@code rtsp://user:pw@host/}), a user-only token
 * ({@code rtsp://token@host/}) or a secret query parameter ({@code ?token=...}). This masks them
 * wherever a URL or a text that may contain one is shown or logged.
 */
public final class SourceUrls {
  /** What stands where a credential was: a PUT that sends it back keeps the stored one. */
  public static final String MASK = "***";

  // scheme://user:password@ — the password stops at the last '@' before the host part.
  private static final Pattern USERINFO_PASSWORD =
      Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://[^/\\s:@]*:)[^/\\s]*@");
  // scheme://token@ — a user name without a password is a bearer token for many cameras.
  private static final Pattern USERINFO_USER_ONLY =
      Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://)[^/\\s:@?#]+@");
  // ?password=... &token=... — the parameter names cameras and signed URLs use for secrets.
  private static final Pattern SECRET_PARAMETER = Pattern.compile(
      "([?&;](?:password|passwd|pwd|pass|token|access_token|auth|authorization|key|apikey|api_key|secret"
          + "|signature|sig|x-amz-signature|x-amz-credential|x-amz-security-token)=)[^&;#\\s\"'<>]*",
      Pattern.CASE_INSENSITIVE);

  private SourceUrls() {}

  public static String mask(String text) {
    if (text == null) return null;
    String masked = USERINFO_PASSWORD.matcher(text).replaceAll("$1***@");
    masked = USERINFO_USER_ONLY.matcher(masked).replaceAll("$1***@");
    return SECRET_PARAMETER.matcher(masked).replaceAll("$1***");
  }

  /**
   * True when {@code url} is a masked URL sent back: its credentials are {@code ***}, as {@link #mask}
   * wrote them (a real password that merely contains {@code ***} is not).
   */
  public static boolean isMasked(String url) {
    return url != null && url.contains(MASK) && mask(url).equals(url) && hasCredentials(url.replace(MASK, "x"));
  }

  /** True when {@code url} carries a credential that {@link #mask} hides. */
  public static boolean hasCredentials(String url) {
    return url != null && !mask(url).equals(url);
  }
}
