package gtvision.objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gtvision.camera.CameraEntity;
import gtvision.camera.ObjectFrame;
import gtvision.camera.RecordedDetection;
import gtvision.testsupport.ReadSides;
import gtvision.testsupport.TestDatabases;
import gtvision.tracking.PathPoint;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.projection.testkit.javadsl.ProjectionTestKit;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The events read side: one row per object, changed by its updates and end, with its timeline. */
class ObjectProjectionTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir static Path dir;
  private static ActorTestKit testKit;
  private static ProjectionTestKit projections;

  @BeforeAll
  static void start() throws Exception {
    testKit = ReadSides.start(TestDatabases.preferPostgres("objects_readside", dir));
    projections = ProjectionTestKit.create(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static ObjectFrame frame(long seq, int second, double confidence, String evidenceKey) {
    return new ObjectFrame(seq, T0.plusSeconds(second), "car", confidence, List.of(10.0, 20.0, 110.0, 90.0), null,
        evidenceKey);
  }

  @Test
  void anObjectsStartUpdatesAndEndMakeOneRowAndItsTimeline() {
    String camera = ReadSides.uniqueId("obj");
    var detections = new CameraEntity.DetectionsRecorded(camera, 2, T0.plusSeconds(1), "gpu",
        List.of(new RecordedDetection("car", 0.8, List.of(10.0, 20.0, 110.0, 90.0), null, null, 7L)), T0);
    var started = new CameraEntity.ObjectStarted(camera, 7, "car", List.of(10.0, 20.0, 110.0, 90.0), T0,
        frame(2, 1, 0.8, "ev/2.jpg"), List.of(), T0);
    var updated = new CameraEntity.ObjectUpdated(camera, 7, List.of(CameraEntity.ObjectUpdated.BETTER_FRAME, "class"),
        "truck", frame(5, 4, 0.97, "ev/5.jpg"), false, List.of(), T0.plusSeconds(4), T0);
    var still = new CameraEntity.ObjectUpdated(camera, 7, List.of(CameraEntity.ObjectUpdated.STILL), "truck",
        frame(5, 4, 0.97, "ev/5.jpg"), true, List.of(), T0.plusSeconds(40), T0);
    var ended = new CameraEntity.ObjectEnded(camera, 7, "truck", T0, T0.plusSeconds(50), 50_000,
        List.of(new PathPoint(T0, 60, 55), new PathPoint(T0.plusSeconds(50), 60, 55)), frame(5, 4, 0.97, "ev/5.jpg"),
        "lost", T0);
    var source = ReadSides.source(List.of(
        ReadSides.envelope(1, detections), ReadSides.envelope(2, started), ReadSides.envelope(3, updated),
        ReadSides.envelope(4, still), ReadSides.envelope(5, ended)));
    var writer = ObjectProjection.writer(JacksonObjectMapperProvider.get(testKit.system()).getOrCreate("gtv-json", Optional.empty()));

    projections.run(ReadSides.readSide(testKit, ReadSides.uniqueId("objects"), source, writer), ReadSides.RUN_TIMEOUT, () -> {
      List<ObjectRow> rows = ReadSides.query(testKit, c -> ObjectTable.page(c, query(camera)));
      assertEquals(1, rows.size(), "one row per object; detections write none here");
      ObjectRow row = rows.get(0);
      assertEquals(7, row.trackId());
      assertEquals("truck", row.className(), "the class vote's latest answer");
      assertEquals(T0, row.startedAt());
      assertEquals(T0.plusSeconds(50), row.endedAt());
      assertEquals(50_000, row.durationMillis());
      assertEquals("ev/5.jpg", row.bestEvidenceKey());
      assertEquals(0.97, row.bestConfidence());
      assertEquals(5, row.bestFrameSequence());
      assertTrue(row.still());
      assertEquals("lost", row.endReason());
      List<ObjectTable.TimelineEntry> timeline = ReadSides.query(testKit, c -> ObjectTable.timeline(c, row));
      assertEquals(List.of("started", "updated", "updated", "ended"), timeline.stream().map(ObjectTable.TimelineEntry::kind).toList());
      assertTrue(timeline.get(1).detail().contains("better-frame"));
    });
  }

  @Test
  void anActiveObjectHasNoEndAndItsDurationGrowsWithItsUpdates() {
    String camera = ReadSides.uniqueId("active");
    var started = new CameraEntity.ObjectStarted(camera, 1, "car", List.of(10.0, 20.0, 110.0, 90.0), T0,
        frame(2, 1, 0.8, null), List.of(), T0);
    var updated = new CameraEntity.ObjectUpdated(camera, 1, List.of(CameraEntity.ObjectUpdated.BETTER_FRAME), "car",
        frame(9, 8, 0.99, null), false, List.of(), T0.plusSeconds(8), T0);
    var source = ReadSides.source(List.of(ReadSides.envelope(1, started), ReadSides.envelope(2, updated)));
    var writer = ObjectProjection.writer(JacksonObjectMapperProvider.get(testKit.system()).getOrCreate("gtv-json", Optional.empty()));
    projections.run(ReadSides.readSide(testKit, ReadSides.uniqueId("objects"), source, writer), ReadSides.RUN_TIMEOUT, () -> {
      ObjectRow row = ReadSides.query(testKit, c -> ObjectTable.page(c, query(camera))).get(0);
      assertNull(row.endedAt());
      assertEquals(8000, row.durationMillis());
      assertNull(row.bestEvidenceKey());
    });
  }

  @Test
  void theRowHoldsThePlateVotesLatestChoiceAndAnEventWithoutOneKeepsIt() {
    String camera = ReadSides.uniqueId("plates");
    ObjectFrame read = new ObjectFrame(2, T0.plusSeconds(1), "car", 0.8, List.of(10.0, 20.0, 110.0, 90.0), "A8-12CD", null);
    var started = new CameraEntity.ObjectStarted(camera, 4, "car", List.of(10.0, 20.0, 110.0, 90.0), T0, read, List.of(), T0,
        "A812CD");
    var plate = new CameraEntity.ObjectUpdated(camera, 4, List.of(CameraEntity.ObjectUpdated.PLATE), "car", read, false,
        List.of(), T0.plusSeconds(3), T0, List.of(), "AB12CD");
    // Written before plates per object: no choice, the row keeps the one it has.
    var older = new CameraEntity.ObjectUpdated(camera, 4, List.of(CameraEntity.ObjectUpdated.STILL), "car", read, true,
        List.of(), T0.plusSeconds(40), T0);
    var source = ReadSides.source(List.of(ReadSides.envelope(1, started), ReadSides.envelope(2, plate),
        ReadSides.envelope(3, older)));
    var writer = ObjectProjection.writer(JacksonObjectMapperProvider.get(testKit.system()).getOrCreate("gtv-json", Optional.empty()));
    projections.run(ReadSides.readSide(testKit, ReadSides.uniqueId("objects"), source, writer), ReadSides.RUN_TIMEOUT, () -> {
      ObjectRow row = ReadSides.query(testKit, c -> ObjectTable.page(c, query(camera))).get(0);
      assertEquals("AB12CD", row.plate(), "the latest choice, shown while the object is active");
      assertNull(row.endedAt());
      ObjectQuery byPlate = new ObjectQuery(Optional.of(camera), Optional.empty(), Optional.empty(), Optional.of("AB12CD"),
          Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), 10);
      assertEquals(1, ReadSides.query(testKit, c -> ObjectTable.page(c, byPlate)).size());
    });
    var ended = new CameraEntity.ObjectEnded(camera, 4, "car", T0, T0.plusSeconds(50), 50_000, List.of(), read, "lost", T0,
        "XY99ZZ");
    var more = ReadSides.source(List.of(ReadSides.envelope(1, ended)));
    projections.run(ReadSides.readSide(testKit, ReadSides.uniqueId("objects"), more, writer), ReadSides.RUN_TIMEOUT, () -> {
      ObjectRow row = ReadSides.query(testKit, c -> ObjectTable.page(c, query(camera))).get(0);
      assertEquals("XY99ZZ", row.plate(), "the ended event's final plate");
    });
  }

  private static ObjectQuery query(String camera) {
    return new ObjectQuery(Optional.of(camera), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), 10);
  }
}
