package gtvision.inference;

import com.typesafe.config.Config;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** {@code gtv.inference} parsed once, with the checks that make a bad value fail at start-up. */
public record InferenceSettings(
    InferenceRouter.Settings router,
    String gpuPlacement,
    int gpuWorkersPerNode,
    YoloxOnnxDetector.Settings gpu,
    Duration loadRetryMin,
    Duration loadRetryMax,
    Optional<PlateReader.Settings> plates,
    String awsPlacement,
    RekognitionDetector.Settings aws) {

  public static final String DISPATCHER = "gtv.inference-dispatcher";

  /** @param root the whole configuration (reads {@code gtv.inference}) */
  public static InferenceSettings from(Config root) {
    Config c = root.getConfig("gtv.inference");
    double confidence = c.getDouble("confidence");
    if (confidence < 0 || confidence > 1) {
      throw new IllegalArgumentException("gtv.inference.confidence must be in 0..1, not " + confidence);
    }
    Set<String> classes =
        Arrays.stream(c.getString("classes").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toUnmodifiableSet());
    long maxPixels = c.getLong("max-pixels");
    InferenceRouter.Settings router =
        new InferenceRouter.Settings(
            InferenceRouter.Mode.parse(c.getString("mode")),
            c.getDuration("fallback-timeout"),
            c.getDuration("hang-timeout"),
            c.getDuration("aws-timeout"),
            c.getInt("breaker.max-failures"),
            c.getDuration("breaker.reset-timeout"),
            maxPixels,
            positive(c.getDuration("max-frame-age"), "max-frame-age"),
            c.getInt("max-queued-uploads"));

    Config g = c.getConfig("gpu");
    YoloxOnnxDetector.Settings gpu =
        new YoloxOnnxDetector.Settings(
            Path.of(g.getString("model-path")),
            g.getString("device"),
            g.getInt("intra-op-threads"),
            g.getInt("batch.max"),
            g.getDuration("batch.max-wait"),
            confidence,
            classes,
            g.getDouble("nms-iou"),
            maxPixels);

    Config p = c.getConfig("plates");
    PlatePatterns patterns = PlatePatterns.parse(p.getString("patterns"));
    Optional<PlateReader.Settings> plates =
        p.getBoolean("enabled")
            ? Optional.of(
                new PlateReader.Settings(
                    Path.of(p.getString("model-dir")), patterns, p.getDouble("min-confidence"),
                    g.getString("device"), p.getInt("intra-op-threads")))
            : Optional.empty();

    Config a = c.getConfig("aws");
    RekognitionDetector.Settings aws =
        new RekognitionDetector.Settings(
            nonBlank(a.getString("region")),
            nonBlank(a.getString("endpoint")).map(URI::create),
            a.getInt("max-concurrency"),
            a.getInt("budget-per-minute"),
            a.getDouble("price-per-call-usd"),
            a.getDouble("budget-usd-per-day"),
            a.getDouble("budget-usd-per-month"),
            a.getInt("max-retries"),
            a.getDuration("retry-base-delay"),
            a.getDuration("retry-max-delay"),
            a.getDuration("call-timeout"),
            confidence,
            classes,
            maxPixels,
            patterns);
    return new InferenceSettings(
        router,
        placement(g.getString("placement"), "gpu"),
        g.getInt("workers-per-node"),
        gpu,
        g.getDuration("load-retry-min"),
        g.getDuration("load-retry-max"),
        plates,
        placement(a.getString("placement"), "aws"),
        aws);
  }

  private static String placement(String s, String what) {
    String v = s.trim().toLowerCase(Locale.ROOT);
    if (!Set.of("auto", "role", "any", "none").contains(v)) {
      throw new IllegalArgumentException("gtv.inference." + what + ".placement must be auto, role, any or none, not '" + s + "'");
    }
    return v;
  }

  private static Duration positive(Duration d, String key) {
    if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("gtv.inference." + key + " must be > 0, not " + d);
    return d;
  }

  private static Optional<String> nonBlank(String s) {
    return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.trim());
  }
}
