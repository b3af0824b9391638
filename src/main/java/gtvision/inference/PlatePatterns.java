package gtvision.inference;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Plate text normalisation and validation. OCR output is uppercased, separators are stripped and
 * the result must match one of the configured patterns entirely; anything else is not a plate.
 */
public final class PlatePatterns {
  /** Mercosul (LLLNLNN) and the older Brazilian format (LLLNNNN). */
  public static final String DEFAULTS = "[A-Z]{3}[0-9][A-Z][0-9]{2},[A-Z]{3}[0-9]{4}";

  private static final Pattern SEPARATORS = Pattern.compile("[\\s\\-.·•:_/|]+");

  private final List<Pattern> patterns;

  public PlatePatterns(List<String> regexes) {
    if (regexes.isEmpty()) throw new IllegalArgumentException("at least one plate pattern is needed");
    this.patterns = regexes.stream().map(Pattern::compile).toList();
  }

  /**
   * Splits a comma-separated list of regexes, ignoring commas inside {@code {m,n}} and {@code [..]}
   * so that an environment variable can carry the whole list.
   */
  public static PlatePatterns parse(String commaSeparated) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int depth = 0;
    for (char c : commaSeparated.toCharArray()) {
      if (c == '{' || c == '[') depth++;
      if (c == '}' || c == ']') depth = Math.max(0, depth - 1);
      if (c == ',' && depth == 0) {
        if (!cur.toString().isBlank()) out.add(cur.toString().trim());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    if (!cur.toString().isBlank()) out.add(cur.toString().trim());
    return new PlatePatterns(out);
  }

  /** Uppercase, full-width forms folded (NFKC), separators removed. */
  public static String normalise(String text) {
    String folded = Normalizer.normalize(text, Normalizer.Form.NFKC).toUpperCase(Locale.ROOT);
    return SEPARATORS.matcher(folded).replaceAll("");
  }

  /** The normalised text when it is a plate, else empty. */
  public Optional<String> match(String raw) {
    String n = normalise(raw);
    for (Pattern p : patterns) {
      if (p.matcher(n).matches()) return Optional.of(n);
    }
    return Optional.empty();
  }

  public List<String> regexes() {
    return patterns.stream().map(Pattern::pattern).toList();
  }
}
