package gtvision.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import gtvision.camera.CameraEntity;
import gtvision.camera.ObjectFrame;
import gtvision.testsupport.ReadSides;
import gtvision.testsupport.TestDatabases;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.projection.testkit.javadsl.ProjectionTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The alerts read side: one row per alert id, newest first by the capture time of its frame. */
class AlertProjectionTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir static Path dir;
  private static ActorTestKit testKit;
  private static ProjectionTestKit projections;

  @BeforeAll
  static void start() throws Exception {
    testKit = ReadSides.start(TestDatabases.preferPostgres("alerts_readside", dir));
    projections = ProjectionTestKit.create(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static CameraEntity.AlertRaised alert(String camera, long trackId, String entryId, int second, String evidenceKey) {
    ObjectFrame frame = new ObjectFrame(second + 1, T0.plusSeconds(second), "car", 0.9, List.of(10.0, 20.0, 110.0, 90.0),
        "AB-12CD", evidenceKey);
    return new CameraEntity.AlertRaised(camera, trackId, camera + ":" + trackId + ":" + entryId, "AB12CD", entryId, "AB*",
        "fleet", "car", frame, T0.plusSeconds(second).plusMillis(300));
  }

  private static AlertQuery query(Optional<String> camera, Optional<gtvision.detections.DetectionQuery.Cursor> after, int limit) {
    return new AlertQuery(camera, Optional.empty(), Optional.empty(), after, limit);
  }

  @Test
  void eachAlertIsOneRowNewestFirstAndARepeatedAlertChangesNothing() throws Exception {
    String camera = ReadSides.uniqueId("alert").substring(0, 40);
    String other = ReadSides.uniqueId("other").substring(0, 40);
    var first = alert(camera, 3, "1", 10, "ev/11.jpg");
    var second = alert(camera, 3, "2", 12, null);
    var elsewhere = alert(other, 9, "1", 11, null);
    var detections = new CameraEntity.DetectionsRecorded(camera, 11, T0.plusSeconds(10), "gpu", List.of(), T0);
    var source = ReadSides.source(List.of(ReadSides.envelope(1, detections), ReadSides.envelope(2, first),
        ReadSides.envelope(3, second), ReadSides.envelope(4, elsewhere), ReadSides.envelope(5, first)));

    projections.run(ReadSides.readSide(testKit, ReadSides.uniqueId("alerts"), source, AlertProjection.writer()),
        ReadSides.RUN_TIMEOUT, () -> {
          List<AlertRow> rows = ReadSides.query(testKit, c -> AlertTable.page(c, query(Optional.of(camera), Optional.empty(), 10)));
          assertEquals(List.of(second.alertId(), first.alertId()), rows.stream().map(AlertRow::alertId).toList(),
              "one row per alert id, newest first");
          AlertRow row = rows.get(1);
          assertEquals(3, row.trackId());
          assertEquals("AB12CD", row.plate());
          assertEquals("1", row.entryId());
          assertEquals("AB*", row.pattern());
          assertEquals("fleet", row.label());
          assertEquals("car", row.className());
          assertEquals(T0.plusSeconds(10), row.seenAt());
          assertEquals(11, row.frameSequence());
          assertEquals(List.of(10.0, 20.0, 110.0, 90.0), row.bbox());
          assertEquals("ev/11.jpg", row.evidenceKey());
          assertEquals(T0.plusSeconds(10).plusMillis(300), row.raisedAt());
          assertNull(rows.get(0).evidenceKey());

          List<AlertRow> page = ReadSides.query(testKit, c -> AlertTable.page(c, query(Optional.of(camera), Optional.empty(), 1)));
          List<AlertRow> next = ReadSides.query(testKit,
              c -> AlertTable.page(c, query(Optional.of(camera), Optional.of(AlertQuery.after(page.get(0))), 10)));
          assertEquals(List.of(first.alertId()), next.stream().map(AlertRow::alertId).toList(), "the cursor goes on after the page");
          assertEquals(1, ReadSides.query(testKit, c -> AlertTable.page(c, query(Optional.of(other), Optional.empty(), 10))).size());
        });
  }
}
