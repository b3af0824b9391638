package gtvision.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.rekognition.model.RekognitionException;

/** The real SDK v2 async client against a local server that speaks Rekognition's JSON protocol. */
class RekognitionDetectorTest {
  static final byte[] DOG = SharedData.imageBytes("dog.jpg"); // 768 x 576

  FakeRekognition server;
  SimpleMeterRegistry registry;
  MutableClock clock;

  @BeforeEach
  void start() throws Exception {
    server = new FakeRekognition();
    registry = new SimpleMeterRegistry();
    clock = new MutableClock(Instant.parse("2026-01-01T10:00:05Z"));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static RekognitionDetector.Settings settings(URI endpoint, int budget, int maxConcurrency) {
    return settings(endpoint, budget, maxConcurrency, 1000.0);
  }

  static RekognitionDetector.Settings settings(URI endpoint, int budget, int maxConcurrency, double usdPerDay) {
    return new RekognitionDetector.Settings(
        Optional.of("us-east-1"), Optional.of(endpoint), maxConcurrency, budget, 0.001, usdPerDay, 10_000.0, 3,
        Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofSeconds(10), 0.5, Set.of(), 50_000_000L,
        PlatePatterns.parse(PlatePatterns.DEFAULTS));
  }

  static RekognitionDetector detector(FakeRekognition server, SimpleMeterRegistry registry, Clock clock, int budget, int conc) {
    return RekognitionDetector.create(
        settings(server.endpoint(), budget, conc),
        Optional.of(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret"))),
        registry, clock);
  }

  CompletableFuture<List<DetectionResult>> detect(RekognitionDetector d, boolean plates) {
    return d.detect(List.of(ImageInput.encoded(DOG)), DetectOptions.plates(plates)).toCompletableFuture();
  }

  @Test
  void mapsInstancesToPixelBoxesAndLinesToPlates() {
    server.on("DetectLabels", n -> FakeRekognition.Reply.ok(FakeRekognition.CAR_AND_PERSON))
        .on("DetectText", n -> FakeRekognition.Reply.ok(FakeRekognition.PLATE_TEXT));
    try (RekognitionDetector d = detector(server, registry, clock, 100, 50)) {
      DetectionResult r = detect(d, true).join().get(0);
      assertEquals("aws", r.provider());
      assertEquals("rekognition-3.0", r.modelId());
      assertEquals(768, r.imageWidth());
      assertEquals(2, r.detections().size(), r.detections().toString()); // person at 40 % is below 0.5
      Detection car = r.detections().get(0);
      assertEquals("car", car.className());
      assertEquals(0.96, car.confidence(), 1e-6);
      assertEquals(new BoundingBox(76.8, 115.2, 460.8, 259.2).iou(car.box()), 1.0, 1e-6);
      assertEquals(Optional.of(new Plate("ABC1234", 0.99)), car.plate());
      Detection person = r.detections().get(1);
      assertEquals("person", person.className());
      assertEquals(Optional.empty(), person.plate());

      FakeRekognition.Request labels = server.requests.get(0);
      assertEquals("RekognitionService.DetectLabels", labels.target());
      assertEquals("application/x-amz-json-1.1", labels.contentType());
      assertTrue(labels.body().contains(Base64.getEncoder().encodeToString(DOG)), "image bytes sent base64");
      assertTrue(labels.body().contains("\"MinConfidence\":50"), labels.body());
      assertEquals("RekognitionService.DetectText", server.requests.get(1).target());
      assertEquals(new RekognitionDetector.Usage(2, 0.002, 0.002, 0.002, 100, 99, 1000.0, 10_000.0), d.usage());
      assertEquals(2.0, registry.get("gtv.aws.calls").counters().stream().mapToDouble(c -> c.count()).sum());
    }
  }

  @Test
  void noTextCallWithoutVehiclesOrWithoutPlates() {
    server.on("DetectLabels", n -> FakeRekognition.Reply.ok(FakeRekognition.CAR_AND_PERSON));
    try (RekognitionDetector d = detector(server, registry, clock, 100, 50)) {
      detect(d, false).join();
      assertEquals(0, server.count("DetectText"));
    }
  }

  @Test
  void throttlingIsRetriedWithBackoff() {
    server.on("DetectLabels", n -> n < 2
        ? FakeRekognition.Reply.error(400, "ThrottlingException")
        : FakeRekognition.Reply.ok(FakeRekognition.CAR_AND_PERSON));
    try (RekognitionDetector d = detector(server, registry, clock, 100, 50)) {
      DetectionResult r = detect(d, false).join().get(0);
      assertEquals("car", r.detections().get(0).className());
      assertEquals(3, server.count("DetectLabels"));
    }
  }

  @Test
  void persistentServerErrorFailsAfterThreeRetries() {
    server.on("DetectLabels", n -> FakeRekognition.Reply.error(500, "InternalServerError"));
    try (RekognitionDetector d = detector(server, registry, clock, 100, 50)) {
      CompletionException e = assertThrows(CompletionException.class, () -> detect(d, false).join());
      RekognitionException cause = assertInstanceOf(RekognitionException.class, e.getCause());
      assertEquals(500, cause.statusCode());
      assertEquals(4, server.count("DetectLabels"));
    }
  }

  @Test
  void budgetStopsCallsUntilTheNextMinute() {
    server.on("DetectLabels", n -> FakeRekognition.Reply.ok(FakeRekognition.CAR_AND_PERSON));
    try (RekognitionDetector d = detector(server, registry, clock, 2, 50)) {
      detect(d, false).join();
      detect(d, false).join();
      CompletionException e = assertThrows(CompletionException.class, () -> detect(d, false).join());
      assertInstanceOf(BudgetExhaustedException.class, e.getCause());
      assertEquals(2, server.count("DetectLabels"));
      assertEquals(0, d.usage().budgetRemaining());
      assertEquals(0.0, registry.get("gtv.aws.budget.remaining").gauge().value());
      assertEquals(2.0, registry.get("gtv.aws.budget.per.minute").gauge().value());

      clock.advance(Duration.ofMinutes(1));
      detect(d, false).join();
      assertEquals(3, server.count("DetectLabels"));
      assertEquals(0.003, d.usage().spendUsd(), 1e-9);
    }
  }

  @Test
  void usdBudgetPerDayRefusesCallsBeyondItUntilTheNextDay() {
    server.on("DetectLabels", n -> FakeRekognition.Reply.ok(FakeRekognition.CAR_AND_PERSON));
    server.on("DetectText", n -> FakeRekognition.Reply.ok(FakeRekognition.PLATE_TEXT));
    // 0.001 USD a call, 0.003 USD a day: one image with plates (two calls), then one more call.
    try (RekognitionDetector d = RekognitionDetector.create(
        settings(server.endpoint(), 100, 50, 0.003),
        Optional.of(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret"))),
        registry, clock)) {
      assertTrue(detect(d, true).join().get(0).detections().get(0).plate().isPresent());
      // The second image's labels fit the budget, its plate read does not: vehicles without plates.
      assertTrue(detect(d, true).join().get(0).detections().get(0).plate().isEmpty());
      CompletionException e = assertThrows(CompletionException.class, () -> detect(d, true).join());
      BudgetExhaustedException cause = assertInstanceOf(BudgetExhaustedException.class, e.getCause());
      assertTrue(cause.getMessage().contains("per day"), cause.getMessage());
      assertEquals(2, server.count("DetectLabels"));
      assertEquals(1, server.count("DetectText"));
      assertEquals(0.003, d.usage().spendTodayUsd(), 1e-9);
      assertEquals(0.003, registry.get("gtv.aws.spend.today").gauge().value(), 1e-9);
      assertEquals(0.003, registry.get("gtv.aws.budget.per.day").gauge().value(), 1e-9);

      clock.advance(Duration.ofDays(1));
      detect(d, false).join();
      assertEquals(3, server.count("DetectLabels"));
      assertEquals(0.001, d.usage().spendTodayUsd(), 1e-9);
      assertEquals(0.004, d.usage().spendThisMonthUsd(), 1e-9);
    }
  }

  @Test
  void atMostMaxConcurrencyCallsInFlight() {
    server.on("DetectLabels", n -> FakeRekognition.Reply.ok(FakeRekognition.CAR_AND_PERSON));
    server.delayMillis = 150;
    try (RekognitionDetector d = detector(server, registry, clock, 100, 2)) {
      List<CompletableFuture<List<DetectionResult>>> all = IntStream.range(0, 6).mapToObj(i -> detect(d, false)).toList();
      all.forEach(CompletableFuture::join);
      assertEquals(6, server.count("DetectLabels"));
      assertEquals(2, server.maxConcurrent.get());
    }
  }

  @Test
  void nonImageIsRejectedWithoutACall() {
    try (RekognitionDetector d = detector(server, registry, clock, 100, 50)) {
      CompletionException e = assertThrows(CompletionException.class,
          () -> d.detect(List.of(ImageInput.encoded("plain text, not a photo".getBytes())), DetectOptions.DEFAULT)
              .toCompletableFuture().join());
      assertInstanceOf(InvalidImageException.class, e.getCause());
      assertEquals(0, server.requests.size());
    }
  }

  /** A clock the test moves. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant start) {
      now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
