package gtvision.inference;

import com.typesafe.config.Config;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
    RekognitionDetector.Settings aws,
    ModelCache modelCache,
    Optional<ModelCache.Source> gpuModel,
    List<ModelCache.Source> plateModels,
    Optional<String> platesOff) {

  /** The plate OCR files {@link PlateReader#load} reads from its model directory. */
  static final List<String> PLATE_FILES =
      List.of("ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx", "ppocr_keys_v1.txt");

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

    String cacheDir = c.getString("model-cache-dir").trim();
    ModelCache cache =
        new ModelCache(
            cacheDir.isEmpty() ? Path.of(root.getString("gtv.data-dir"), "models") : Path.of(cacheDir),
            positive(c.getDuration("model-download-timeout"), "model-download-timeout"));

    Config g = c.getConfig("gpu");
    // GTV_MODEL_PATH wins; otherwise the model comes from its URL into the cache.
    Optional<String> modelPath = nonBlank(g.getString("model-path"));
    Optional<ModelCache.Source> gpuModel =
        modelPath.isPresent()
            ? Optional.empty()
            : Optional.of(source(g.getString("model-url"), g.getString("model-sha256"), "gtv.inference.gpu.model", null)
                .orElseThrow(() -> new IllegalArgumentException(
                    "set gtv.inference.gpu.model-path (GTV_MODEL_PATH) or gtv.inference.gpu.model-url (GTV_MODEL_URL)")));
    YoloxOnnxDetector.Settings gpu =
        new YoloxOnnxDetector.Settings(
            modelPath.map(Path::of).orElseGet(() -> cache.location(gpuModel.orElseThrow())),
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
    Optional<String> modelDir = nonBlank(p.getString("model-dir"));
    List<ModelCache.Source> plateModels = List.of();
    Optional<String> platesOff = Optional.empty();
    if (p.getBoolean("enabled") && modelDir.isEmpty()) {
      List<String> keys = List.of("det-model", "rec-model", "keys");
      List<Optional<ModelCache.Source>> sources = new ArrayList<>();
      for (int i = 0; i < keys.size(); i++) {
        sources.add(source(p.getString(keys.get(i) + "-url"), p.getString(keys.get(i) + "-sha256"),
            "gtv.inference.plates." + keys.get(i), "ocr/" + PLATE_FILES.get(i)));
      }
      long set = sources.stream().filter(Optional::isPresent).count();
      if (set == 0) {
        platesOff = Optional.of("plate reading is off: set gtv.inference.plates.model-dir (GTV_OCR_MODEL_DIR) or the "
            + "det-model-url, rec-model-url and keys-url settings (GTV_OCR_DET_MODEL_URL, GTV_OCR_REC_MODEL_URL, GTV_OCR_KEYS_URL)");
      } else if (set < keys.size()) {
        throw new IllegalArgumentException(
            "gtv.inference.plates: det-model-url, rec-model-url and keys-url must be set together (or model-dir instead)");
      } else {
        plateModels = sources.stream().map(Optional::orElseThrow).toList();
      }
    }
    Optional<PlateReader.Settings> plates =
        p.getBoolean("enabled") && platesOff.isEmpty()
            ? Optional.of(
                new PlateReader.Settings(
                    modelDir.map(Path::of).orElseGet(() -> cache.dir().resolve("ocr")), patterns,
                    p.getDouble("min-confidence"), g.getString("device"), p.getInt("intra-op-threads")))
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
        aws,
        cache,
        gpuModel,
        plateModels,
        platesOff);
  }

  /**
   * A download source, or empty when its URL is blank.
   *
   * @param fileName its name in the cache; null: the last segment of the URL's path
   */
  private static Optional<ModelCache.Source> source(String url, String sha256, String setting, String fileName) {
    return nonBlank(url).map(u -> {
      URI uri;
      try {
        uri = new URI(u);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(setting + "-url is not a URL: '" + u + "'", e);
      }
      String name = fileName;
      if (name == null) {
        String path = uri.getPath() == null ? "" : uri.getPath();
        name = path.substring(path.lastIndexOf('/') + 1);
        if (name.isBlank()) throw new IllegalArgumentException(setting + "-url must end in a file name: '" + u + "'");
      }
      return new ModelCache.Source(name, uri, sha256, setting);
    });
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
