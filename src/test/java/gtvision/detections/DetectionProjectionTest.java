package gtvision.detections;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gtvision.camera.CameraEntity;
import gtvision.camera.RecordedDetection;
import gtvision.camera.readside.CameraEventProjections;
import gtvision.testsupport.ReadSides;
import gtvision.testsupport.TestDatabases;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.projection.HandlerRecoveryStrategy;
import org.apache.pekko.projection.testkit.javadsl.ProjectionTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The detections read side: one row per detected object, each event's rows written exactly once. */
class DetectionProjectionTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir static Path dir;
  private static ActorTestKit testKit;
  private static ProjectionTestKit projections;

  @BeforeAll
  static void start() throws Exception {
    testKit = ReadSides.start(TestDatabases.preferPostgres("detections_readside", dir));
    projections = ProjectionTestKit.create(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void eachDetectedObjectBecomesARowWithItsFrameAndEvidence() {
    String camera = ReadSides.uniqueId("rows");
    RecordedDetection car = new RecordedDetection("car", 0.91, List.of(10.0, 20.0, 110.0, 90.0), "AB-123", 0.8);
    RecordedDetection person = new RecordedDetection("person", 0.55, List.of(1.0, 2.0, 3.0, 4.0), null, null);
    var event = new CameraEntity.DetectionsRecorded(camera, 42, T0, "gpu", List.of(car, person), T0.plusMillis(250),
        "evidence/frame-42.jpg");
    var source = ReadSides.source(List.of(
        ReadSides.envelope(1, new CameraEntity.StreamConnected(camera, "ok", T0)),
        ReadSides.envelope(2, event)));

    projections.run(ReadSides.readSide(testKit, ReadSides.uniqueId("detections"), source, DetectionProjection.WRITER),
        ReadSides.RUN_TIMEOUT, () -> {
          List<DetectionRow> rows = rows(camera);
          assertEquals(2, rows.size(), "one row per object; other camera events write none");
          DetectionRow carRow = rows.get(0);
          assertEquals("car", carRow.className());
          assertEquals(0.91, carRow.confidence());
          assertEquals(List.of(10.0, 20.0, 110.0, 90.0), carRow.bbox());
          assertEquals("AB-123", carRow.plate());
          assertEquals(0.8, carRow.plateConfidence());
          DetectionRow personRow = rows.get(1);
          assertEquals("person", personRow.className());
          assertEquals(null, personRow.plate());
          assertEquals(null, personRow.plateConfidence());
          for (DetectionRow row : rows) {
            assertEquals(42, row.frameSequence());
            assertEquals(T0, row.timestamp());
            assertEquals("gpu", row.provider());
            assertEquals("evidence/frame-42.jpg", row.evidenceKey());
            assertEquals(T0.plusMillis(250), row.recordedAt());
          }
        });
  }

  @Test
  void anEnvelopeReplayedAfterARestartWritesItsRowsOnce() {
    String camera = ReadSides.uniqueId("replayed");
    String projectionId = ReadSides.uniqueId("detections");
    var first = ReadSides.envelope(1, recorded(camera, 1, 2));
    var second = ReadSides.envelope(2, recorded(camera, 2, 1));

    projections.run(ReadSides.readSide(testKit, projectionId, ReadSides.source(List.of(first)), DetectionProjection.WRITER),
        ReadSides.RUN_TIMEOUT, () -> assertEquals(2, rows(camera).size()));

    // The restarted projection is offered the committed envelope again, then a new one.
    projections.run(
        ReadSides.readSide(testKit, projectionId, ReadSides.source(List.of(first, second)), DetectionProjection.WRITER),
        ReadSides.RUN_TIMEOUT, () -> assertEquals(List.of(1L, 1L, 2L), frames(camera)));
  }

  @Test
  void aGroupThatFailsBeforeItsCommitLeavesNoRowsAndItsRetryWritesThemOnce() {
    String camera = ReadSides.uniqueId("retried");
    AtomicBoolean failNext = new AtomicBoolean(true);
    // Rows written, then the transaction fails (a lost connection, a crash): rows and offset roll back together.
    CameraEventProjections.ReadSideWriter failingOnce = (connection, events) -> {
      DetectionProjection.WRITER.write(connection, events);
      if (failNext.getAndSet(false)) throw new SQLException("connection lost before commit");
    };
    var source = ReadSides.source(List.of(
        ReadSides.envelope(1, recorded(camera, 1, 3)),
        ReadSides.envelope(2, recorded(camera, 2, 1))));

    projections.run(
        ReadSides.readSide(testKit, ReadSides.uniqueId("detections"), source, failingOnce)
            .withRecoveryStrategy(HandlerRecoveryStrategy.retryAndFail(3, Duration.ofMillis(50))),
        ReadSides.RUN_TIMEOUT, () -> {
          assertEquals(false, failNext.get(), "the first attempt failed");
          assertEquals(List.of(1L, 1L, 1L, 2L), frames(camera));
        });
  }

  private static CameraEntity.DetectionsRecorded recorded(String camera, long frame, int objects) {
    Instant at = T0.plusSeconds(frame);
    List<RecordedDetection> detections = IntStream.range(0, objects)
        .mapToObj(i -> new RecordedDetection("car", 0.9, List.of(1.0 * i, 2.0, 3.0, 4.0), null, null))
        .toList();
    return new CameraEntity.DetectionsRecorded(camera, frame, at, "cpu", detections, at);
  }

  /** The camera's rows in insertion order. */
  private static List<DetectionRow> rows(String camera) throws Exception {
    DetectionQuery query = new DetectionQuery(Optional.of(camera), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), 1_000);
    return ReadSides.query(testKit, c -> DetectionTable.page(c, query)).stream()
        .sorted(Comparator.comparingLong(DetectionRow::id))
        .toList();
  }

  /** The frame of each of the camera's rows, in insertion order. */
  private static List<Long> frames(String camera) throws Exception {
    return rows(camera).stream().map(DetectionRow::frameSequence).toList();
  }
}
