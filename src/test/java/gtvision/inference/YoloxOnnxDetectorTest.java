package gtvision.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real yolox_nano.onnx on ../shared/testdata/images against the table in its README. */
class YoloxOnnxDetectorTest {

  record Expected(String image, String cls, double score, double x1, double y1, double x2, double y2) {}

  /** Every row of testdata/images/README.md with score >= 0.5. */
  static final List<Expected> TABLE =
      List.of(
          new Expected("dog.jpg", "dog", 0.86, 133, 207, 326, 543),
          new Expected("dog.jpg", "bicycle", 0.80, 57, 137, 572, 423),
          new Expected("dog.jpg", "car", 0.80, 466, 78, 692, 171),
          new Expected("person.jpg", "person", 0.88, 189, 97, 277, 374),
          new Expected("person.jpg", "horse", 0.88, 403, 138, 603, 345),
          new Expected("person.jpg", "dog", 0.88, 61, 264, 201, 350),
          new Expected("horses.jpg", "horse", 0.82, -1, 187, 337, 411),
          new Expected("horses.jpg", "horse", 0.63, 239, 171, 440, 362),
          new Expected("horses.jpg", "horse", 0.60, 440, 212, 597, 348),
          new Expected("giraffe.jpg", "giraffe", 0.93, 167, 30, 449, 433),
          new Expected("giraffe.jpg", "zebra", 0.64, 258, 202, 425, 444),
          new Expected("kite.jpg", "kite", 0.85, 591, 77, 673, 155),
          new Expected("kite.jpg", "person", 0.82, 112, 608, 167, 763),
          new Expected("kite.jpg", "person", 0.81, 210, 685, 276, 868),
          new Expected("kite.jpg", "kite", 0.74, 276, 233, 305, 281),
          new Expected("kite.jpg", "person", 0.59, 80, 509, 110, 567),
          new Expected("eagle.jpg", "bird", 0.94, 139, 81, 603, 449));

  static final List<String> IMAGES =
      List.of("dog.jpg", "person.jpg", "horses.jpg", "giraffe.jpg", "kite.jpg", "eagle.jpg");

  static ExecutorService executor;
  static YoloxOnnxDetector detector;

  static YoloxOnnxDetector.Settings settings() {
    // Threshold 0.4 as in the reference run, so a 0.50 row scored 0.47 here is still compared.
    return new YoloxOnnxDetector.Settings(
        SharedData.yolox(), "cpu", 2, 8, Duration.ofMillis(20), 0.4, Set.of(), 0.45, 50_000_000L);
  }

  @BeforeAll
  static void load() {
    executor = Executors.newFixedThreadPool(2);
    detector = YoloxOnnxDetector.load(settings(), Optional.empty(), executor, new SimpleMeterRegistry());
  }

  @AfterAll
  static void close() {
    detector.close();
    executor.shutdown();
  }

  static DetectionResult detectOne(String image) {
    return detector
        .detect(List.of(ImageInput.encoded(SharedData.imageBytes(image))), DetectOptions.DEFAULT)
        .toCompletableFuture()
        .join()
        .get(0);
  }

  @Test
  void findsEveryRowOfTheReferenceTable() {
    List<String> misses = new ArrayList<>();
    for (String image : IMAGES) {
      DetectionResult r = detectOne(image);
      System.out.printf("%s (%dx%d): %s%n", image, r.imageWidth(), r.imageHeight(), describe(r.detections()));
      for (Expected e : TABLE) {
        if (!e.image.equals(image)) continue;
        BoundingBox want = new BoundingBox(e.x1, e.y1, e.x2, e.y2);
        boolean found =
            r.detections().stream()
                .anyMatch(
                    d ->
                        d.className().equals(e.cls)
                            && d.box().iou(want) >= 0.5
                            && Math.abs(d.confidence() - e.score) <= 0.05);
        if (!found) misses.add(e.toString());
      }
    }
    assertTrue(misses.isEmpty(), "not found: " + misses);
  }

  @Test
  void reportsSourceDimensionsProviderAndTimings() {
    DetectionResult r = detectOne("kite.jpg");
    assertEquals(1352, r.imageWidth());
    assertEquals(900, r.imageHeight());
    assertEquals("gpu", r.provider());
    assertEquals("yolox_nano.onnx", r.modelId());
    assertTrue(r.timings().inferenceMs() > 0 && r.timings().preprocessMs() > 0);
    for (Detection d : r.detections()) {
      assertTrue(d.box().x1() >= 0 && d.box().x2() <= 1352 && d.box().y2() <= 900, d.toString());
    }
  }

  @Test
  void batchOfManyFramesGivesTheSameResultsAsSingleFrames() {
    List<ImageInput> inputs = IMAGES.stream().map(n -> ImageInput.encoded(SharedData.imageBytes(n))).toList();
    List<DetectionResult> batch = detector.detect(inputs, DetectOptions.DEFAULT).toCompletableFuture().join();
    assertEquals(IMAGES.size(), batch.size());
    for (int i = 0; i < IMAGES.size(); i++) {
      assertEquals(detectOne(IMAGES.get(i)).detections(), batch.get(i).detections(), IMAGES.get(i));
    }
  }

  @Test
  void decodedFrameGivesTheSameResultAsItsJpeg() {
    Mat mat = Images.decodeBgr(SharedData.imageBytes("dog.jpg"), Long.MAX_VALUE);
    try {
      DetectionResult r =
          detector.detect(List.of(new ImageInput.Decoded(mat)), DetectOptions.DEFAULT).toCompletableFuture().join().get(0);
      assertEquals(detectOne("dog.jpg").detections(), r.detections());
    } finally {
      mat.close();
    }
  }

  @Test
  void perRequestClassesAndThresholdFilter() {
    DetectOptions onlyDogs = DetectOptions.DEFAULT.withClasses(Set.of("dog")).withMinConfidence(0.8);
    DetectionResult r =
        detector
            .detect(List.of(ImageInput.encoded(SharedData.imageBytes("dog.jpg"))), onlyDogs)
            .toCompletableFuture()
            .join()
            .get(0);
    assertEquals(1, r.detections().size(), describe(r.detections()));
    assertEquals("dog", r.detections().get(0).className());
  }

  @Test
  void rejectsNonImageAndDecompressionBombBeforeDecoding() {
    byte[] text = "this is not a picture, just some text".getBytes();
    Throwable e1 = failure(text);
    assertInstanceOf(InvalidImageException.class, e1);
    assertTrue(e1.getMessage().startsWith("not an image"), e1.getMessage());

    byte[] bomb = ImageHeaderTest.pngHeader(100_000, 100_000);
    Throwable e2 = failure(bomb);
    assertInstanceOf(InvalidImageException.class, e2);
    assertTrue(e2.getMessage().contains("100000x100000"), e2.getMessage());
  }

  private static Throwable failure(byte[] bytes) {
    try {
      detector.detect(List.of(ImageInput.encoded(bytes)), DetectOptions.DEFAULT).toCompletableFuture().join();
      fail("expected a failure");
      return null;
    } catch (CompletionException e) {
      return e.getCause();
    }
  }

  static String describe(List<Detection> ds) {
    StringBuilder sb = new StringBuilder();
    for (Detection d : ds) {
      sb.append(String.format("%s %.2f [%.0f %.0f %.0f %.0f]; ", d.className(), d.confidence(),
          d.box().x1(), d.box().y1(), d.box().x2(), d.box().y2()));
    }
    return sb.toString();
  }

  @Test
  void plateReadOnAVehicleCropIsThePlateReadOnTheWholeFrame() throws Exception {
    byte[] frame = SyntheticPlates.onCar("BRA2E19");
    PlateReader reader = PlateReader.load(
        new PlateReader.Settings(SharedData.ocrDir(), PlatePatterns.parse(PlatePatterns.DEFAULTS), 0.7, "cpu", 1));
    try (YoloxOnnxDetector withPlates = YoloxOnnxDetector.load(settings(), Optional.of(reader), executor,
        new SimpleMeterRegistry())) {
      DetectionResult whole = withPlates.detect(List.of(ImageInput.encoded(frame)), DetectOptions.plates(true))
          .toCompletableFuture().get(60, TimeUnit.SECONDS).get(0);
      Detection car = whole.detections().stream().filter(d -> d.className().equals("car")).findFirst()
          .orElseThrow(() -> new AssertionError("no car in " + whole.detections()));
      assertEquals("BRA2E19", car.plate().map(Plate::text).orElse("-"), whole.detections().toString());

      DetectionResult plain = withPlates.detect(List.of(ImageInput.encoded(frame)), DetectOptions.plates(false))
          .toCompletableFuture().get(60, TimeUnit.SECONDS).get(0);
      PlateCrops crops = PlateCrops.cut(frame, plain, 8, 262_144, 90, 2_000_000, 50_000_000L);
      assertTrue(crops.crops().size() >= 1, "a crop of the car");
      List<Optional<Plate>> read = withPlates.readPlates(crops.crops().stream().map(ImageInput::encoded).toList())
          .toCompletableFuture().get(60, TimeUnit.SECONDS);
      DetectionResult attached = crops.attach(plain, read, 0);
      assertEquals(whole.detections().stream().map(d -> d.plate().map(Plate::text)).toList(),
          attached.detections().stream().map(d -> d.plate().map(Plate::text)).toList());
      System.out.printf("frame %d bytes, crops %d bytes (%d crops)%n", frame.length, crops.bytes(), crops.crops().size());
    }
  }

  @Test
  void aDetectorWithoutAPlateReaderReadsNoPlatesOnCrops() throws Exception {
    byte[] crop = SyntheticPlates.vehicleCrop(new Random(3), 0).png();
    assertEquals(List.of(Optional.empty()), detector.readPlates(List.of(ImageInput.encoded(crop)))
        .toCompletableFuture().get(30, TimeUnit.SECONDS));
  }
}
