package gtvision.inference;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
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
  private final List<List<Set<Character>>> templates;

  public PlatePatterns(List<String> regexes) {
    if (regexes.isEmpty()) throw new IllegalArgumentException("at least one plate pattern is needed");
    this.patterns = regexes.stream().map(Pattern::compile).toList();
    this.templates = regexes.stream().map(PlatePatterns::template).filter(Optional::isPresent).map(Optional::get).toList();
  }

  /**
   * Per-position allowed characters of the patterns that are plain sequences of classes and
   * literals ({@code [A-Z]{3}[0-9]...}); other regexes have no template and are only matched
   * literally. The plate reader uses templates to pick, at each position, the most probable
   * character the format allows (a "0" where a letter must be is then read as the model's next best
   * letter, "O"), never a character the recogniser gave no probability to.
   */
  public List<List<Set<Character>>> templates() {
    return templates;
  }

  static Optional<List<Set<Character>>> template(String regex) {
    List<Set<Character>> out = new ArrayList<>();
    int i = 0;
    while (i < regex.length()) {
      Set<Character> cls = new HashSet<>();
      char c = regex.charAt(i);
      if (c == '[') {
        int end = regex.indexOf(']', i);
        if (end < 0) return Optional.empty();
        String body = regex.substring(i + 1, end);
        if (body.startsWith("^")) return Optional.empty();
        for (int k = 0; k < body.length(); k++) {
          if (k + 2 < body.length() && body.charAt(k + 1) == '-') {
            for (char x = body.charAt(k); x <= body.charAt(k + 2); x++) cls.add(x);
            k += 2;
          } else {
            cls.add(body.charAt(k));
          }
        }
        i = end + 1;
      } else if (Character.isLetterOrDigit(c)) {
        cls.add(c);
        i++;
      } else {
        return Optional.empty();
      }
      int repeat = 1;
      if (i < regex.length() && regex.charAt(i) == '{') {
        int end = regex.indexOf('}', i);
        if (end < 0) return Optional.empty();
        try {
          repeat = Integer.parseInt(regex.substring(i + 1, end));
        } catch (NumberFormatException e) {
          return Optional.empty(); // {m,n}: variable length, no fixed template
        }
        i = end + 1;
      }
      for (int r = 0; r < repeat; r++) out.add(Set.copyOf(cls));
    }
    return out.isEmpty() ? Optional.empty() : Optional.of(List.copyOf(out));
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

  static boolean isSeparator(String s) {
    return SEPARATORS.matcher(s).matches();
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
