package gtvision.inference;

import gtvision.CborSerializable;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.rekognition.RekognitionAsyncClient;
import software.amazon.awssdk.services.rekognition.RekognitionAsyncClientBuilder;
import software.amazon.awssdk.services.rekognition.model.DetectLabelsResponse;
import software.amazon.awssdk.services.rekognition.model.DetectTextResponse;
import software.amazon.awssdk.services.rekognition.model.Image;
import software.amazon.awssdk.services.rekognition.model.Instance;
import software.amazon.awssdk.services.rekognition.model.Label;
import software.amazon.awssdk.services.rekognition.model.TextDetection;
import software.amazon.awssdk.services.rekognition.model.TextTypes;

/**
 * AWS Rekognition as a detector: DetectLabels (label instances carry boxes) and, for frames with
 * vehicles when plates are asked for, DetectText (LINE results matched to vehicle boxes).
 *
 * <p>Retries (throttling, 5xx) are the SDK's standard strategy with exponential backoff; the
 * per-minute image budget is checked before anything is sent, so an exhausted budget costs nothing.
 */
public final class RekognitionDetector implements Detector {

  public static final String PROVIDER = "aws";
  /** Rekognition refuses image bytes over 5 MB. */
  static final int MAX_IMAGE_BYTES = 5 * 1024 * 1024;

  /** See gtv.inference.aws in inference.conf. */
  public record Settings(
      Optional<String> region,
      Optional<URI> endpoint,
      int maxConcurrency,
      int budgetPerMinute,
      double pricePerCallUsd,
      double budgetUsdPerDay,
      double budgetUsdPerMonth,
      int maxRetries,
      Duration retryBaseDelay,
      Duration retryMaxDelay,
      Duration callTimeout,
      double confidence,
      Set<String> classes,
      long maxPixels,
      PlatePatterns plates) {

    public Settings {
      classes = Set.copyOf(classes);
    }
  }

  /**
   * Calls and spend of this node's AWS worker, and what its cost guard still allows (for /health).
   *
   * @param budgetRemaining images that may still be sent this minute
   */
  public record Usage(
      long calls, double spendUsd, double spendTodayUsd, double spendThisMonthUsd, int budgetPerMinute,
      int budgetRemaining, double budgetUsdPerDay, double budgetUsdPerMonth) implements CborSerializable {}

  private static final Map<String, String> LABEL_TO_COCO =
      Map.of("human", "person", "motorbike", "motorcycle", "automobile", "car", "pickup truck", "truck",
          "aircraft", "airplane", "sports car", "car", "van", "car");

  private final Settings settings;
  private final RekognitionAsyncClient client;
  private final AwsBudget budget;
  private final Clock clock;
  private final AsyncLimiter limiter;
  private final AtomicLong calls = new AtomicLong();
  private final MeterRegistry registry;
  private final Timer latency;
  private final List<Meter> meters;

  private static Counter calls(MeterRegistry registry, String api, String outcome) {
    return Counter.builder("gtv.aws.calls")
        .description("Rekognition API calls (after SDK retries)")
        .tag("api", api)
        .tag("outcome", outcome)
        .register(registry);
  }

  private RekognitionDetector(Settings settings, RekognitionAsyncClient client, MeterRegistry registry, Clock clock) {
    // Counters exist from the start (at 0) so that rate() and the budget alert work before the first call.
    for (String api : List.of("DetectLabels", "DetectText")) {
      for (String outcome : List.of("success", "failure")) calls(registry, api, outcome);
    }
    this.settings = settings;
    this.client = client;
    this.registry = registry;
    this.clock = clock;
    this.budget =
        new AwsBudget(
            settings.budgetPerMinute(), settings.pricePerCallUsd(), settings.budgetUsdPerDay(),
            settings.budgetUsdPerMonth(), clock);
    this.limiter = new AsyncLimiter(settings.maxConcurrency());
    this.latency = InferenceMetrics.latency(registry, PROVIDER);
    // Meters bound to this instance's state; removed on close so a recreated detector (worker
    // restart) registers its own instead of Micrometer keeping the stale ones.
    this.meters =
        List.of(
            Gauge.builder("gtv.aws.budget.remaining", budget, AwsBudget::remaining)
                .description("Images AWS may still be sent this minute")
                .register(registry),
            Gauge.builder("gtv.aws.budget.per.minute", budget, AwsBudget::perMinute)
                .description("Configured AWS image budget per minute")
                .register(registry),
            FunctionCounter.builder("gtv.aws.spend", budget, b -> b.spend().totalUsd())
                .description("Estimated Rekognition spend (calls paid for by the cost guard)")
                .baseUnit("usd")
                .register(registry),
            Gauge.builder("gtv.aws.spend.today", budget, b -> b.spend().todayUsd())
                .description("Estimated Rekognition spend this UTC day")
                .baseUnit("usd")
                .register(registry),
            Gauge.builder("gtv.aws.spend.month", budget, b -> b.spend().monthUsd())
                .description("Estimated Rekognition spend this UTC month")
                .baseUnit("usd")
                .register(registry),
            Gauge.builder("gtv.aws.budget.per.day", budget, b -> b.spend().perDayUsd())
                .description("Configured AWS budget per UTC day")
                .baseUnit("usd")
                .register(registry),
            Gauge.builder("gtv.aws.budget.per.month", budget, b -> b.spend().perMonthUsd())
                .description("Configured AWS budget per UTC month")
                .baseUnit("usd")
                .register(registry));
  }

  /**
   * Builds the async client. Region and credentials come from the SDK's default chains unless the
   * settings name a region or the caller passes credentials (tests).
   */
  public static RekognitionDetector create(
      Settings settings, Optional<AwsCredentialsProvider> credentials, MeterRegistry registry, Clock clock) {
    RekognitionAsyncClientBuilder b =
        RekognitionAsyncClient.builder()
            .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(settings.maxConcurrency()))
            .overrideConfiguration(
                o ->
                    o.retryStrategy(
                            AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                .maxAttempts(settings.maxRetries() + 1)
                                .backoffStrategy(
                                    BackoffStrategy.exponentialDelay(settings.retryBaseDelay(), settings.retryMaxDelay()))
                                .throttlingBackoffStrategy(
                                    BackoffStrategy.exponentialDelay(settings.retryBaseDelay(), settings.retryMaxDelay()))
                                // our own circuit breaker decides when AWS is unhealthy
                                .circuitBreakerEnabled(false)
                                .build())
                        .apiCallTimeout(settings.callTimeout()));
    settings.region().ifPresent(r -> b.region(Region.of(r)));
    settings.endpoint().ifPresent(b::endpointOverride);
    credentials.ifPresent(b::credentialsProvider);
    try {
      return new RekognitionDetector(settings, b.build(), registry, clock);
    } catch (SdkClientException e) {
      throw new ModelLoadException(
          "cannot create the Rekognition client: " + e.getMessage()
              + " (set AWS_REGION or gtv.inference.aws.region / GTV_AWS_REGION)",
          e);
    }
  }

  @Override
  public String provider() {
    return PROVIDER;
  }

  @Override
  public String modelId() {
    return "rekognition";
  }

  /** As many as may be in flight to AWS at once; more would only wait in the limiter. */
  @Override
  public int capacity() {
    return settings.maxConcurrency();
  }

  public Usage usage() {
    AwsBudget.Spend s = budget.spend();
    return new Usage(
        calls.get(), s.totalUsd(), s.todayUsd(), s.monthUsd(), budget.perMinute(), s.minuteRemaining(),
        s.perDayUsd(), s.perMonthUsd());
  }

  @Override
  public CompletionStage<List<DetectionResult>> detect(List<ImageInput> images, DetectOptions options) {
    List<CompletableFuture<DetectionResult>> frames = new ArrayList<>();
    for (ImageInput image : images) {
      CompletableFuture<DetectionResult> f;
      try {
        f = detectOne(image, options);
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      frames.add(f);
    }
    return CompletableFuture.allOf(frames.toArray(CompletableFuture[]::new))
        .thenApply(v -> frames.stream().map(CompletableFuture::join).toList())
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(unwrap(e)));
  }

  private CompletableFuture<DetectionResult> detectOne(ImageInput input, DetectOptions options) {
    options.checkNotExpired(clock); // an expired frame costs no call (and no money)
    long start = System.nanoTime();
    byte[] bytes;
    int width;
    int height;
    if (input instanceof ImageInput.Encoded e) {
      ImageHeader h = ImageHeader.check(e.bytes(), settings.maxPixels());
      width = h.width();
      height = h.height();
      if (h.format().equals("bmp")) { // Rekognition takes JPEG and PNG only
        var mat = Images.decodeBgr(e.bytes(), settings.maxPixels());
        try {
          bytes = Images.encodeJpeg(mat, 90);
        } finally {
          mat.close();
        }
      } else {
        bytes = e.bytes();
      }
    } else {
      var mat = ((ImageInput.Decoded) input).bgr();
      width = mat.cols();
      height = mat.rows();
      bytes = Images.encodeJpeg(mat, 90);
    }
    if (bytes.length > MAX_IMAGE_BYTES) {
      throw new InvalidImageException("image of " + bytes.length + " bytes exceeds Rekognition's 5 MB limit");
    }
    Optional<String> refused = budget.tryAcquireImage();
    if (refused.isPresent()) throw new BudgetExhaustedException(refused.get());
    Image image = Image.builder().bytes(SdkBytes.fromByteArray(bytes)).build();
    double threshold = options.confidenceOr(settings.confidence());
    Set<String> wanted = options.classesOr(settings.classes());
    CompletableFuture<DetectLabelsResponse> labels =
        call("DetectLabels", () -> client.detectLabels(r -> r.image(image).minConfidence((float) (threshold * 100))));
    return labels.thenCompose(
        response -> {
          List<Detection> detections = toDetections(response.labels(), threshold, wanted, width, height);
          boolean vehicles = detections.stream().anyMatch(d -> CocoClasses.VEHICLES.contains(d.className()));
          CompletableFuture<List<Detection>> withPlates =
              // A plate read is a second paid call: without budget for it the vehicles come without plates.
              options.detectPlates() && vehicles && budget.tryAcquireCall().isEmpty()
                  ? call("DetectText", () -> client.detectText(r -> r.image(image)))
                      .thenApply(text -> attachPlates(detections, text, width, height))
                  : CompletableFuture.completedFuture(detections);
          return withPlates.thenApply(
              ds -> {
                long took = System.nanoTime() - start;
                latency.record(took, TimeUnit.NANOSECONDS);
                return new DetectionResult(
                    ds, PROVIDER, response.labelModelVersion() == null ? "rekognition" : "rekognition-" + response.labelModelVersion(),
                    width, height, 1, new Timings(0, 0, took / 1e6, 0));
              });
        });
  }

  private <T> CompletableFuture<T> call(String api, Supplier<CompletableFuture<T>> request) {
    return limiter
        .submit(request)
        .whenComplete(
            (r, e) -> {
              calls.incrementAndGet(); // each API call is billed, whatever its outcome
              calls(registry, api, e == null ? "success" : "failure").increment();
            });
  }

  static List<Detection> toDetections(List<Label> labels, double threshold, Set<String> wanted, int width, int height) {
    List<Detection> out = new ArrayList<>();
    for (Label label : labels) {
      String name = cocoName(label.name());
      if (!wanted.isEmpty() && !wanted.contains(name)) continue;
      for (Instance instance : label.instances()) {
        if (instance.boundingBox() == null || instance.confidence() == null) continue;
        double confidence = instance.confidence() / 100.0;
        if (confidence < threshold) continue;
        var b = instance.boundingBox();
        BoundingBox box =
            new BoundingBox(
                    b.left() * width, b.top() * height, (b.left() + b.width()) * width, (b.top() + b.height()) * height)
                .clip(width, height);
        out.add(new Detection(name, confidence, box));
      }
    }
    out.sort(Comparator.comparingDouble(Detection::confidence).reversed());
    return out;
  }

  /** Each plate-shaped LINE goes to the smallest vehicle box containing its centre. */
  private List<Detection> attachPlates(List<Detection> detections, DetectTextResponse text, int width, int height) {
    List<Detection> out = new ArrayList<>(detections);
    for (TextDetection t : text.textDetections()) {
      if (t.type() != TextTypes.LINE || t.geometry() == null || t.geometry().boundingBox() == null) continue;
      Optional<String> plate = settings.plates().match(t.detectedText());
      if (plate.isEmpty()) continue;
      var b = t.geometry().boundingBox();
      double cx = (b.left() + b.width() / 2) * width;
      double cy = (b.top() + b.height() / 2) * height;
      int target = -1;
      for (int i = 0; i < out.size(); i++) {
        Detection d = out.get(i);
        if (!CocoClasses.VEHICLES.contains(d.className()) || !d.box().contains(cx, cy)) continue;
        if (target < 0 || d.box().area() < out.get(target).box().area()) target = i;
      }
      double confidence = t.confidence() / 100.0;
      if (target >= 0
          && out.get(target).plate().map(p -> p.confidence() < confidence).orElse(true)) {
        out.set(target, out.get(target).withPlate(new Plate(plate.get(), confidence)));
      }
    }
    return out;
  }

  static String cocoName(String label) {
    String n = label.toLowerCase(Locale.ROOT);
    return LABEL_TO_COCO.getOrDefault(n, n);
  }

  private static Throwable unwrap(Throwable e) {
    while (e instanceof CompletionException && e.getCause() != null) e = e.getCause();
    return e;
  }

  @Override
  public void close() {
    meters.forEach(registry::remove);
    client.close();
  }
}
