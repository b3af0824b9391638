package gtvision.alerts;

import gtvision.camera.PlateVote;
import java.util.Locale;
import java.util.Optional;

/**
 * A watch-list pattern: an exact plate ({@code AB12CD}) or one with wildcards, {@code *} for any run of
 * characters (none included) and {@code ?} for exactly one ({@code AB*}, {@code ?B12CD}). Written as plates
 * are read: case, spaces and dashes do not count ({@code ab-12 cd} is {@code AB12CD}), as the plate vote
 * normalises what it reads ({@link PlateVote#normalise}), so a pattern matches a plate however either was
 * written.
 */
final class WatchPattern {
  static final int MAX_LENGTH = PlateVote.MAX_LENGTH;

  private WatchPattern() {}

  /** The pattern as stored and matched (upper case, no spaces or dashes), or why it cannot be one. */
  static Result normalise(String raw) {
    if (raw == null || raw.isBlank()) return Result.bad("pattern is required");
    StringBuilder out = new StringBuilder(raw.length());
    boolean literal = false;
    for (char c : raw.toUpperCase(Locale.ROOT).toCharArray()) {
      if (c == ' ' || c == '-') continue;
      if (c == '*' || c == '?') {
        // "**" is "*": collapsing keeps matching linear and the stored pattern canonical.
        if (c == '*' && out.length() > 0 && out.charAt(out.length() - 1) == '*') continue;
        out.append(c);
      } else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        out.append(c);
        literal = true;
      } else {
        return Result.bad("pattern may hold only letters A-Z, digits, '*', '?', spaces and dashes");
      }
    }
    if (out.length() > MAX_LENGTH) return Result.bad("pattern is at most " + MAX_LENGTH + " characters (spaces and dashes aside)");
    // A pattern of wildcards only would alert on every plate read: that is not a watch list.
    if (!literal) return Result.bad("pattern needs at least one letter or digit");
    return new Result(Optional.of(out.toString()), null);
  }

  record Result(Optional<String> pattern, String problem) {
    static Result bad(String problem) {
      return new Result(Optional.empty(), problem);
    }
  }

  static boolean isExact(String pattern) {
    return pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0;
  }

  /** Whether {@code plate} (normalised) matches {@code pattern} (normalised); linear, no backtracking blow-up. */
  static boolean matches(String pattern, String plate) {
    int p = 0;
    int s = 0;
    int star = -1;
    int resume = 0;
    while (s < plate.length()) {
      if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == plate.charAt(s))) {
        p++;
        s++;
      } else if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        resume = s;
      } else if (star >= 0) {
        p = star + 1;
        s = ++resume;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') p++;
    return p == pattern.length();
  }
}
