package gtvision.camera.readside;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import gtvision.camera.CameraConfig;
import gtvision.camera.CameraEntity;
import gtvision.camera.CameraRow;
import gtvision.camera.Location;
import gtvision.camera.RecordedDetection;
import gtvision.camera.SourceKind;
import gtvision.testsupport.ReadSides;
import gtvision.testsupport.TestDatabases;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.projection.testkit.javadsl.ProjectionTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cameras read side: camera events in, {@code gtv_cameras} rows out, each event applied once. */
class CameraProjectionTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir static Path dir;
  private static ActorTestKit testKit;
  private static ProjectionTestKit projections;

  @BeforeAll
  static void start() throws Exception {
    testKit = ReadSides.start(TestDatabases.preferPostgres("camera_readside", dir));
    projections = ProjectionTestKit.create(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aRegisteredCameraIsListedWithItsConfigurationAndTheSourcePasswordMasked() {
    String id = camera("registered");
    CameraConfig config = new CameraConfig("Gate", "rtsp://admin:s3cret@10.0.0.5/stream", SourceKind.RTSP, 2.5,
        new Location(51.5, -0.1), List.of("north", "gate"));
    var source = ReadSides.source(List.of(ReadSides.envelope(1, new CameraEntity.Registered(id, config, T0))));

    projections.run(ReadSides.readSide(testKit, ReadSides.uniqueId("cameras"), source, CameraProjection.WRITER),
        ReadSides.RUN_TIMEOUT, () -> {
          CameraRow row = row(id).orElseThrow();
          assertEquals("Gate", row.name());
          assertEquals("rtsp://admin:***@10.0.0.5/stream", row.sourceUrl());
          assertFalse(row.sourceUrl().contains("s3cret"));
          assertEquals("rtsp", row.sourceKind());
          assertEquals(2.5, row.fps());
          assertEquals(new Location(51.5, -0.1), row.location());
          assertEquals(List.of("north", "gate"), row.tags());
          assertEquals("registered", row.status());
          assertEquals(T0, row.createdAt());
          assertEquals(T0, row.updatedAt());
        });
  }

  @Test
  void lifecycleEventsMoveTheRowAndRemovalDeletesIt() {
    String kept = camera("kept");
    String removed = camera("removed");
    CameraConfig first = new CameraConfig("Old name", "file:///v.mp4", SourceKind.FILE, 1, null, List.of());
    CameraConfig renamed = new CameraConfig("New name", "file:///v.mp4", SourceKind.FILE, 4, null, List.of("yard"));
    var source = ReadSides.source(List.of(
        ReadSides.envelope(1, new CameraEntity.Registered(kept, first, T0)),
        ReadSides.envelope(2, new CameraEntity.Registered(removed, first, T0)),
        ReadSides.envelope(3, new CameraEntity.Enabled(kept, T0.plusSeconds(1))),
        // Events the table does not keep pass through without touching the row.
        ReadSides.envelope(4, new CameraEntity.StreamConnected(kept, "rtsp ok", T0.plusSeconds(2))),
        ReadSides.envelope(5, detections(kept, T0.plusSeconds(3))),
        ReadSides.envelope(6, new CameraEntity.Updated(kept, renamed, T0.plusSeconds(4))),
        ReadSides.envelope(7, new CameraEntity.Disabled(kept, T0.plusSeconds(5))),
        ReadSides.envelope(8, new CameraEntity.Removed(removed, T0.plusSeconds(6)))));

    projections.run(ReadSides.readSide(testKit, ReadSides.uniqueId("cameras"), source, CameraProjection.WRITER),
        ReadSides.RUN_TIMEOUT, () -> {
          assertEquals(Optional.empty(), row(removed));
          CameraRow row = row(kept).orElseThrow();
          assertEquals("New name", row.name());
          assertEquals(4.0, row.fps());
          assertEquals(List.of("yard"), row.tags());
          assertEquals("disabled", row.status());
          assertEquals(T0, row.createdAt(), "updates keep the registration time");
          assertEquals(T0.plusSeconds(5), row.updatedAt());
        });
  }

  @Test
  void envelopesReplayedAfterARestartAreNotAppliedAgain() {
    String id = camera("replayed");
    String projectionId = ReadSides.uniqueId("cameras");
    CameraConfig config = new CameraConfig("Replayed", "file:///v.mp4", SourceKind.FILE, 1, null, List.of());
    var registered = ReadSides.envelope(1, new CameraEntity.Registered(id, config, T0));
    var disabled = ReadSides.envelope(2, new CameraEntity.Disabled(id, T0.plusSeconds(1)));
    var enabled = ReadSides.envelope(3, new CameraEntity.Enabled(id, T0.plusSeconds(2)));
    AtomicInteger applied = new AtomicInteger();
    CameraEventProjections.ReadSideWriter counting = (connection, events) -> {
      CameraProjection.WRITER.write(connection, events);
      applied.addAndGet(events.size());
    };

    projections.run(ReadSides.readSide(testKit, projectionId, ReadSides.source(List.of(registered, disabled)), counting),
        ReadSides.RUN_TIMEOUT, () -> assertEquals("disabled", row(id).orElseThrow().status()));
    assertEquals(2, applied.get());

    // The restarted projection is offered the committed envelopes again, then a new one.
    projections.run(
        ReadSides.readSide(testKit, projectionId, ReadSides.source(List.of(registered, disabled, enabled)), counting),
        ReadSides.RUN_TIMEOUT, () -> {
          assertEquals("enabled", row(id).orElseThrow().status());
          assertEquals(3, applied.get(), "only the new envelope was applied");
        });
  }

  private static CameraEntity.DetectionsRecorded detections(String id, Instant at) {
    return new CameraEntity.DetectionsRecorded(id, 1, at, "cpu",
        List.of(new RecordedDetection("car", 0.9, List.of(1.0, 2.0, 3.0, 4.0), null, null)), at);
  }

  /** Each test has cameras of its own: the tests share one database. */
  private static String camera(String name) {
    return ReadSides.uniqueId(name);
  }

  private static Optional<CameraRow> row(String id) throws Exception {
    return ReadSides.query(testKit, c -> CameraTable.page(c, Optional.empty(), Optional.empty(), 10_000)).stream()
        .filter(row -> row.id().equals(id))
        .findFirst();
  }
}
