package gtvision.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gtvision.camera.CameraEntity;
import gtvision.camera.RecordedDetection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every rule of a bulk ingest request, the field (with its index) each rejection names, and the grouping. */
class IngestValidatorTest {
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  private static final Duration SKEW = Duration.ofSeconds(30);
  private static final int MAX_ITEMS = 10;

  @Test
  void aRequestOfValidItemsPasses() {
    IngestRequest request = new IngestRequest(List.of(
        item(),
        // Every field set, each at the edge of what it may be.
        new IngestRequest.Item("cam_2", NOW.plus(SKEW), "traffic light", 1.0, List.of(0.0, 0.0, 640.0, 480.0),
            "ab-12", 0.0, 640, 480, IngestValidator.MAX_FRAME_SEQUENCE)));

    assertEquals(Optional.empty(), IngestValidator.check(request, MAX_ITEMS, NOW, SKEW));
  }

  static Stream<Arguments> invalidRequests() {
    return Stream.of(
        Arguments.of("no list", new IngestRequest(null), "detections"),
        Arguments.of("empty list", new IngestRequest(List.of()), "detections"),
        Arguments.of("too many items", new IngestRequest(Collections.nCopies(MAX_ITEMS + 1, item())), "detections"),
        Arguments.of("null item", new IngestRequest(Arrays.asList(item(), null)), "detections[1]"),
        Arguments.of("no camera", second(i -> copy(i, null, i.timestamp(), i.className())), "detections[1].cameraId"),
        Arguments.of("empty camera", second(i -> copy(i, "", i.timestamp(), i.className())), "detections[1].cameraId"),
        Arguments.of("bad camera id", second(i -> copy(i, "Cam 1", i.timestamp(), i.className())),
            "detections[1].cameraId"),
        Arguments.of("no timestamp", second(i -> copy(i, i.cameraId(), null, i.className())), "detections[1].timestamp"),
        Arguments.of("timestamp beyond the skew", second(i -> copy(i, i.cameraId(), NOW.plus(SKEW).plusMillis(1),
            i.className())), "detections[1].timestamp"),
        Arguments.of("no class", second(i -> copy(i, i.cameraId(), i.timestamp(), null)), "detections[1].class"),
        Arguments.of("blank class", second(i -> copy(i, i.cameraId(), i.timestamp(), "  ")), "detections[1].class"),
        Arguments.of("class with odd characters", second(i -> copy(i, i.cameraId(), i.timestamp(), "car;drop")),
            "detections[1].class"),
        Arguments.of("class too long", second(i -> copy(i, i.cameraId(), i.timestamp(), "c".repeat(65))),
            "detections[1].class"),
        Arguments.of("no confidence", second(i -> confidence(i, null)), "detections[1].confidence"),
        Arguments.of("infinite confidence", second(i -> confidence(i, Double.POSITIVE_INFINITY)),
            "detections[1].confidence"),
        Arguments.of("negative confidence", second(i -> confidence(i, -0.01)), "detections[1].confidence"),
        Arguments.of("confidence above one", second(i -> confidence(i, 1.01)), "detections[1].confidence"),
        Arguments.of("no bbox", second(i -> bbox(i, null)), "detections[1].bbox"),
        Arguments.of("bbox of three", second(i -> bbox(i, List.of(1.0, 2.0, 3.0))), "detections[1].bbox"),
        Arguments.of("bbox with a null", second(i -> bbox(i, Arrays.asList(1.0, null, 3.0, 4.0))),
            "detections[1].bbox[1]"),
        Arguments.of("bbox not finite", second(i -> bbox(i, List.of(1.0, 2.0, Double.NaN, 4.0))),
            "detections[1].bbox[2]"),
        Arguments.of("bbox negative", second(i -> bbox(i, List.of(1.0, 2.0, 3.0, -4.0))), "detections[1].bbox[3]"),
        Arguments.of("bbox x2 not after x1", second(i -> bbox(i, List.of(5.0, 2.0, 5.0, 4.0))), "detections[1].bbox"),
        Arguments.of("bbox y2 not after y1", second(i -> bbox(i, List.of(1.0, 4.0, 3.0, 2.0))), "detections[1].bbox"),
        Arguments.of("width without height", second(i -> frame(i, 640, null)), "detections[1].frameHeight"),
        Arguments.of("height without width", second(i -> frame(i, null, 480)), "detections[1].frameWidth"),
        Arguments.of("zero width", second(i -> frame(i, 0, 480)), "detections[1].frameWidth"),
        Arguments.of("negative height", second(i -> frame(i, 640, -1)), "detections[1].frameHeight"),
        Arguments.of("bbox outside the frame", second(i -> frame(i, 20, 20)), "detections[1].bbox"),
        Arguments.of("plate with odd characters", second(i -> plate(i, "AB 12", null)), "detections[1].plate"),
        Arguments.of("plate too long", second(i -> plate(i, "A".repeat(33), null)), "detections[1].plate"),
        Arguments.of("plate confidence not finite", second(i -> plate(i, "AB12", Double.NaN)),
            "detections[1].plateConfidence"),
        Arguments.of("plate confidence above one", second(i -> plate(i, "AB12", 1.5)), "detections[1].plateConfidence"),
        Arguments.of("negative frame sequence", second(i -> sequence(i, -1L)), "detections[1].frameSequence"),
        Arguments.of("frame sequence past 2^53 - 1", second(i -> sequence(i, IngestValidator.MAX_FRAME_SEQUENCE + 1)),
            "detections[1].frameSequence"));
  }

  @ParameterizedTest(name = "{0} is rejected on {2}")
  @MethodSource("invalidRequests")
  void anInvalidRequestIsRejectedNamingTheFieldAndItsIndex(String rule, IngestRequest request, String field) {
    Optional<IngestValidator.Problem> problem = IngestValidator.check(request, MAX_ITEMS, NOW, SKEW);

    assertTrue(problem.isPresent(), rule);
    assertEquals(field, problem.get().field(), rule);
  }

  @Test
  void aFrameHoldsAtMostTheEntitysLimitOfDetections() {
    int limit = CameraEntity.MAX_DETECTIONS_PER_FRAME;
    List<IngestRequest.Item> items = new ArrayList<>(Collections.nCopies(limit, item()));
    // Another frame of the same camera does not count towards the first one's limit.
    items.add(sequence(item(), 2L));
    assertEquals(Optional.empty(), IngestValidator.check(new IngestRequest(items), limit + 2, NOW, SKEW));

    items.add(item());
    IngestValidator.Problem problem = IngestValidator.check(new IngestRequest(items), limit + 2, NOW, SKEW).orElseThrow();
    assertEquals("detections[" + (limit + 1) + "]", problem.field());
  }

  @Test
  void validItemsAreGroupedPerCameraThenPerFrameInTheOrderTheyCame() {
    Instant t1 = NOW.minusSeconds(2);
    Instant t2 = NOW.minusSeconds(1);
    IngestRequest request = new IngestRequest(List.of(
        at("cam-b", t1, 7L, "car"),
        at("cam-a", t2, null, "person"),
        at("cam-b", t2, null, "bus"),
        at("cam-b", t1, 7L, "truck")));

    IngestValidator.Batch batch = IngestValidator.group(request, "ingest");

    assertEquals(List.of("cam-b", "cam-a"), List.copyOf(batch.byCamera().keySet()));
    assertEquals(0, batch.firstIndex().get("cam-b"));
    assertEquals(1, batch.firstIndex().get("cam-a"));
    assertEquals(4, batch.size());
    List<CameraEntity.DetectionGroup> camB = batch.byCamera().get("cam-b");
    assertEquals(2, camB.size());
    assertEquals(7, camB.get(0).frameSequence());
    assertEquals(t1, camB.get(0).capturedAt());
    assertEquals("ingest", camB.get(0).provider());
    assertEquals(List.of("car", "truck"), camB.get(0).detections().stream().map(RecordedDetection::className).toList());
    assertEquals(0, camB.get(1).frameSequence(), "no frameSequence: frame 0");
    assertEquals(List.of("bus"), camB.get(1).detections().stream().map(RecordedDetection::className).toList());
  }

  @Test
  void platesAreStoredInUpperCase() {
    IngestRequest request = new IngestRequest(List.of(plate(item(), "ab-12c", 0.7)));
    assertEquals(Optional.empty(), IngestValidator.check(request, MAX_ITEMS, NOW, SKEW));

    RecordedDetection detection = IngestValidator.group(request, "ingest").byCamera().get("cam-1").get(0).detections().get(0);
    assertEquals("AB-12C", detection.plate());
    assertEquals(0.7, detection.plateConfidence());
  }

  /** A valid item: every optional field left out. */
  private static IngestRequest.Item item() {
    return new IngestRequest.Item("cam-1", NOW.minusSeconds(1), "car", 0.9, List.of(10.0, 20.0, 30.0, 40.0), null, null,
        null, null, null);
  }

  /** A request whose first item is valid and second is {@code change}d: the problem must name index 1. */
  private static IngestRequest second(UnaryOperator<IngestRequest.Item> change) {
    return new IngestRequest(List.of(item(), change.apply(item())));
  }

  private static IngestRequest.Item at(String camera, Instant timestamp, Long frameSequence, String className) {
    return sequence(copy(item(), camera, timestamp, className), frameSequence);
  }

  private static IngestRequest.Item copy(IngestRequest.Item i, String camera, Instant timestamp, String className) {
    return new IngestRequest.Item(camera, timestamp, className, i.confidence(), i.bbox(), i.plate(), i.plateConfidence(),
        i.frameWidth(), i.frameHeight(), i.frameSequence());
  }

  private static IngestRequest.Item confidence(IngestRequest.Item i, Double confidence) {
    return new IngestRequest.Item(i.cameraId(), i.timestamp(), i.className(), confidence, i.bbox(), i.plate(),
        i.plateConfidence(), i.frameWidth(), i.frameHeight(), i.frameSequence());
  }

  private static IngestRequest.Item bbox(IngestRequest.Item i, List<Double> bbox) {
    return new IngestRequest.Item(i.cameraId(), i.timestamp(), i.className(), i.confidence(), bbox, i.plate(),
        i.plateConfidence(), i.frameWidth(), i.frameHeight(), i.frameSequence());
  }

  private static IngestRequest.Item frame(IngestRequest.Item i, Integer width, Integer height) {
    return new IngestRequest.Item(i.cameraId(), i.timestamp(), i.className(), i.confidence(), i.bbox(), i.plate(),
        i.plateConfidence(), width, height, i.frameSequence());
  }

  private static IngestRequest.Item plate(IngestRequest.Item i, String plate, Double plateConfidence) {
    return new IngestRequest.Item(i.cameraId(), i.timestamp(), i.className(), i.confidence(), i.bbox(), plate,
        plateConfidence, i.frameWidth(), i.frameHeight(), i.frameSequence());
  }

  private static IngestRequest.Item sequence(IngestRequest.Item i, Long frameSequence) {
    return new IngestRequest.Item(i.cameraId(), i.timestamp(), i.className(), i.confidence(), i.bbox(), i.plate(),
        i.plateConfidence(), i.frameWidth(), i.frameHeight(), frameSequence);
  }
}
