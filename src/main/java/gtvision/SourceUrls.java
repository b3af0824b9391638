package gtvision;

import java.util.regex.Pattern;

/** Camera URLs carry credentials (rtsp://user:pw@host/...): this masks them wherever they are shown. */
public final class SourceUrls {
  // scheme://user:password@ — the password stops at the last '@' before the host part.
  private static final Pattern USERINFO_PASSWORD =
      Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://[^/\\s:@]*:)[^/\\s]*@");

  private SourceUrls() {}

  public static String mask(String text) {
    if (text == null) return null;
    return USERINFO_PASSWORD.matcher(text).replaceAll("$1***@");
  }
}
