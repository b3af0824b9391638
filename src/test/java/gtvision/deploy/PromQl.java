package gtvision.deploy;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the metric names a PromQL expression reads. Not a full parser: it removes everything that
 * can contain identifiers which are not metric names (strings, label matchers, ranges, grouping
 * label lists, Grafana variables) and then takes every remaining identifier that is neither a
 * function or aggregation call nor a keyword.
 */
final class PromQl {

    private static final Pattern GRAFANA_VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$\\w+");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern LABEL_MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*]");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", Pattern.CASE_INSENSITIVE);
    // An identifier not glued to a preceding word character, dot or colon, so that the unit of a
    // duration (5m) or the exponent of a number (1e3) is not taken for a name.
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.:])[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Set<String> KEYWORDS = Set.of(
            "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
            "and", "or", "unless", "atan2", "offset", "inf", "nan");

    private PromQl() {
    }

    static Set<String> metricNames(String expr) {
        String s = GRAFANA_VARIABLE.matcher(expr).replaceAll(" ");
        s = STRING.matcher(s).replaceAll(" ");
        s = LABEL_MATCHERS.matcher(s).replaceAll(" ");
        s = RANGE.matcher(s).replaceAll(" ");
        s = GROUPING.matcher(s).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            String name = m.group();
            if (KEYWORDS.contains(name.toLowerCase()) || isCall(s, m.end())) {
                continue;
            }
            names.add(name);
        }
        return names;
    }

    private static boolean isCall(String s, int end) {
        int i = end;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i < s.length() && s.charAt(i) == '(';
    }
}
