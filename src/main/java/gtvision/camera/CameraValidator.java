package gtvision.camera;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Turns a client's {@link CameraSpec} into a {@link CameraConfig}, or names the first bad field. */
public final class CameraValidator {
  public static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
  public static final double MIN_FPS = 0.05;
  public static final double MAX_FPS = 30.0;
  public static final double DEFAULT_FPS = 1.0;
  static final int MAX_NAME_LENGTH = 200;
  static final int MAX_URL_LENGTH = 2048;
  static final int MAX_TAGS = 32;
  static final int MAX_TAG_LENGTH = 64;
  static final int MAX_CLASSES = 100;
  static final int MAX_MASK_POLYGONS = 16;
  static final int MAX_MASK_POINTS = 64;
  public static final Pattern ZONE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  static final int MAX_ZONES = 32;
  static final int MAX_LINES = 32;
  /** A day: a longer loiter threshold is a mistake, not a policy (the object would end first). */
  static final double MAX_LOITER_SECONDS = 86_400;

  private CameraValidator() {}

  /** The outcome: exactly one of config and problem is present. */
  public record Result(CameraConfig config, Problem problem) {
    static Result ok(CameraConfig config) {
      return new Result(config, null);
    }

    static Result invalid(String field, String message) {
      return new Result(null, new Problem(field, message));
    }
  }

  public record Problem(String field, String message) {}

  public static Optional<Problem> validateId(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      return Optional.of(new Problem("id", "id must match " + ID.pattern()));
    }
    return Optional.empty();
  }

  public static Result validate(CameraSpec spec) {
    if (spec == null) return Result.invalid("body", "camera configuration is missing");
    String name = spec.name() == null ? "" : spec.name().strip();
    if (name.isEmpty()) return Result.invalid("name", "name is required");
    if (name.length() > MAX_NAME_LENGTH) {
      return Result.invalid("name", "name is longer than " + MAX_NAME_LENGTH + " characters");
    }

    if (spec.sourceKind() == null) return Result.invalid("sourceKind", "sourceKind is required");
    Optional<SourceKind> kind = SourceKind.fromWireName(spec.sourceKind());
    if (kind.isEmpty()) {
      return Result.invalid(
          "sourceKind", "unknown sourceKind '" + spec.sourceKind() + "' (rtsp, hls, snapshot, mjpeg, file)");
    }

    Optional<Problem> urlProblem = checkUrl(spec.sourceUrl(), kind.get());
    if (urlProblem.isPresent()) return new Result(null, urlProblem.get());

    double fps = spec.fps() == null ? DEFAULT_FPS : spec.fps();
    if (!(fps >= MIN_FPS && fps <= MAX_FPS)) {
      return Result.invalid("fps", "fps must be between " + MIN_FPS + " and " + MAX_FPS);
    }

    Location location = spec.location();
    if (location != null) {
      if (!(location.lat() >= -90 && location.lat() <= 90)) {
        return Result.invalid("location.lat", "lat must be between -90 and 90");
      }
      if (!(location.lon() >= -180 && location.lon() <= 180)) {
        return Result.invalid("location.lon", "lon must be between -180 and 180");
      }
    }

    List<String> tags = spec.tags() == null ? List.of() : spec.tags();
    if (tags.size() > MAX_TAGS) return Result.invalid("tags", "at most " + MAX_TAGS + " tags");
    for (String tag : tags) {
      if (tag == null || tag.isBlank() || tag.length() > MAX_TAG_LENGTH) {
        return Result.invalid("tags", "tags must be non-empty and at most " + MAX_TAG_LENGTH + " characters");
      }
    }

    List<List<List<Double>>> mask = spec.motionMask() == null ? List.of() : spec.motionMask();
    Optional<Problem> maskProblem = checkMask(mask);
    if (maskProblem.isPresent()) return new Result(null, maskProblem.get());

    AnalysisOptions analysis = spec.analysis() == null ? AnalysisOptions.DEFAULT : spec.analysis();
    Optional<Problem> analysisProblem = checkAnalysis(analysis);
    if (analysisProblem.isPresent()) return new Result(null, analysisProblem.get());

    List<Zone> zones = spec.zones() == null ? List.of() : spec.zones();
    Optional<Problem> zoneProblem = checkZones(zones);
    if (zoneProblem.isPresent()) return new Result(null, zoneProblem.get());

    List<CountLine> lines = spec.lines() == null ? List.of() : spec.lines();
    Optional<Problem> lineProblem = checkLines(lines);
    if (lineProblem.isPresent()) return new Result(null, lineProblem.get());

    return Result.ok(new CameraConfig(name, spec.sourceUrl(), kind.get(), fps, location, tags, mask, analysis, null,
        zones, lines));
  }

  private static Optional<Problem> checkZones(List<Zone> zones) {
    if (zones.size() > MAX_ZONES) return Optional.of(new Problem("zones", "at most " + MAX_ZONES + " zones"));
    Set<String> names = new HashSet<>();
    for (int i = 0; i < zones.size(); i++) {
      String at = "zones[" + i + "]";
      Zone zone = zones.get(i);
      if (zone == null) return Optional.of(new Problem(at, "a zone is {name, polygon, classes, loiterAfter}"));
      Optional<Problem> name = checkName(at, zone.name(), names);
      if (name.isPresent()) return name;
      List<List<Double>> polygon = zone.polygon();
      if (polygon.size() < 3 || polygon.size() > MAX_MASK_POINTS) {
        return Optional.of(new Problem(at + ".polygon", "a polygon needs 3 to " + MAX_MASK_POINTS + " points"));
      }
      for (int p = 0; p < polygon.size(); p++) {
        Optional<Problem> point = checkPoint(at + ".polygon[" + p + "]", polygon.get(p));
        if (point.isPresent()) return point;
      }
      Optional<Problem> classes = checkClasses(at + ".classes", zone.classes());
      if (classes.isPresent()) return classes;
      Double loiter = zone.loiterAfter();
      if (loiter != null && !(loiter > 0 && loiter <= MAX_LOITER_SECONDS)) {
        return Optional.of(new Problem(at + ".loiterAfter",
            "loiterAfter is seconds, more than 0 and at most " + (long) MAX_LOITER_SECONDS));
      }
    }
    return Optional.empty();
  }

  private static Optional<Problem> checkLines(List<CountLine> lines) {
    if (lines.size() > MAX_LINES) return Optional.of(new Problem("lines", "at most " + MAX_LINES + " lines"));
    Set<String> names = new HashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String at = "lines[" + i + "]";
      CountLine line = lines.get(i);
      if (line == null) return Optional.of(new Problem(at, "a line is {name, from, to, classes}"));
      Optional<Problem> name = checkName(at, line.name(), names);
      if (name.isPresent()) return name;
      Optional<Problem> from = checkPoint(at + ".from", line.from());
      if (from.isPresent()) return from;
      Optional<Problem> to = checkPoint(at + ".to", line.to());
      if (to.isPresent()) return to;
      if (line.from().equals(line.to())) return Optional.of(new Problem(at + ".to", "a line needs two distinct points"));
      Optional<Problem> classes = checkClasses(at + ".classes", line.classes());
      if (classes.isPresent()) return classes;
    }
    return Optional.empty();
  }

  private static Optional<Problem> checkName(String at, String name, Set<String> seen) {
    if (name == null || !ZONE_NAME.matcher(name).matches()) {
      return Optional.of(new Problem(at + ".name", "name must match " + ZONE_NAME.pattern()));
    }
    if (!seen.add(name)) return Optional.of(new Problem(at + ".name", "name '" + name + "' is used twice"));
    return Optional.empty();
  }

  /** A point [x, y] of the picture, both fractions 0..1 (NaN and infinities fail the range check). */
  private static Optional<Problem> checkPoint(String at, List<Double> point) {
    if (point == null || point.size() != 2 || point.get(0) == null || point.get(1) == null) {
      return Optional.of(new Problem(at, "a point is [x, y]"));
    }
    for (Double v : point) {
      if (!(v >= 0.0 && v <= 1.0)) return Optional.of(new Problem(at, "coordinates are fractions 0..1 of the picture"));
    }
    return Optional.empty();
  }

  private static Optional<Problem> checkClasses(String at, List<String> classes) {
    if (classes.size() > MAX_CLASSES) return Optional.of(new Problem(at, "at most " + MAX_CLASSES + " classes"));
    for (String c : classes) {
      if (c == null || c.isBlank() || c.length() > MAX_TAG_LENGTH) {
        return Optional.of(new Problem(at, "class names must be non-empty and at most " + MAX_TAG_LENGTH + " characters"));
      }
    }
    return Optional.empty();
  }

  private static Optional<Problem> checkMask(List<List<List<Double>>> mask) {
    if (mask.size() > MAX_MASK_POLYGONS) return maskProblem("at most " + MAX_MASK_POLYGONS + " polygons");
    for (int p = 0; p < mask.size(); p++) {
      List<List<Double>> polygon = mask.get(p);
      if (polygon == null || polygon.size() < 3 || polygon.size() > MAX_MASK_POINTS) {
        return maskProblem("polygon " + p + " needs 3 to " + MAX_MASK_POINTS + " points");
      }
      for (List<Double> point : polygon) {
        if (point == null || point.size() != 2 || point.get(0) == null || point.get(1) == null) {
          return maskProblem("polygon " + p + ": every point is [x, y]");
        }
        for (Double v : point) {
          if (!(v >= 0.0 && v <= 1.0)) return maskProblem("polygon " + p + ": coordinates are fractions 0..1 of the picture");
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<Problem> maskProblem(String message) {
    return Optional.of(new Problem("motionMask", message));
  }

  private static Optional<Problem> checkUrl(String url, SourceKind kind) {
    if (url == null || url.isBlank()) return problem("sourceUrl is required");
    if (url.length() > MAX_URL_LENGTH) return problem("sourceUrl is longer than " + MAX_URL_LENGTH);
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      // The parser's message quotes the URL, password included: say where, not what.
      return problem("sourceUrl is not a valid URL (at index " + e.getIndex() + ")");
    }
    if (!kind.accepts(uri.getScheme())) {
      return problem("sourceUrl scheme '" + uri.getScheme() + "' does not fit sourceKind " + kind.wireName());
    }
    if (kind == SourceKind.FILE) {
      if (uri.getPath() == null || uri.getPath().isEmpty()) return problem("file sourceUrl needs a path");
    } else if (uri.getHost() == null || uri.getHost().isEmpty()) {
      return problem("sourceUrl needs a host");
    }
    return Optional.empty();
  }

  private static Optional<Problem> problem(String message) {
    return Optional.of(new Problem("sourceUrl", message));
  }

  private static Optional<Problem> checkAnalysis(AnalysisOptions analysis) {
    if (analysis.classes().size() > MAX_CLASSES) {
      return Optional.of(new Problem("analysis.classes", "at most " + MAX_CLASSES + " classes"));
    }
    for (String c : analysis.classes()) {
      if (c == null || c.isBlank() || c.length() > MAX_TAG_LENGTH) {
        return Optional.of(new Problem("analysis.classes", "class names must be non-empty and at most " + MAX_TAG_LENGTH + " characters"));
      }
    }
    Double min = analysis.minConfidence();
    if (min != null && !(min >= 0 && min <= 1)) {
      return Optional.of(new Problem("analysis.minConfidence", "minConfidence must be between 0 and 1"));
    }
    return Optional.empty();
  }
}
