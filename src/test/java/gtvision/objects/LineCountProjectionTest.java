package gtvision.objects;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gtvision.camera.CameraEntity;
import gtvision.camera.CountLine;
import gtvision.camera.ObjectFrame;
import gtvision.testsupport.ReadSides;
import gtvision.testsupport.TestDatabases;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.testkit.javadsl.ProjectionTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The line-counts read side: crossings summed per line, class, direction and hour, across runs. */
class LineCountProjectionTest {
  private static final Instant H0 = Instant.parse("2026-01-01T10:00:00Z");

  @TempDir static Path dir;
  private static ActorTestKit testKit;
  private static ProjectionTestKit projections;

  @BeforeAll
  static void start() throws Exception {
    testKit = ReadSides.start(TestDatabases.preferPostgres("counts_readside", dir));
    projections = ProjectionTestKit.create(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static CameraEntity.LineCrossed crossed(String camera, long track, String line, String direction,
      String className, Instant at) {
    return new CameraEntity.LineCrossed(camera, track, line, direction, className, at, List.of(0.5, 0.5), at);
  }

  @Test
  void crossingsAreCountedPerLineClassDirectionAndHour() {
    String camera = ReadSides.uniqueId("counts");
    List<CameraEntity.Event> events = new ArrayList<>();
    events.add(crossed(camera, 1, "gate", CountLine.IN, "car", H0.plusSeconds(10)));
    events.add(crossed(camera, 2, "gate", CountLine.IN, "car", H0.plusSeconds(3599)));
    events.add(crossed(camera, 3, "gate", CountLine.OUT, "car", H0.plusSeconds(20)));
    events.add(crossed(camera, 4, "gate", CountLine.IN, "person", H0.plusSeconds(30)));
    events.add(crossed(camera, 5, "gate", CountLine.IN, "car", H0.plusSeconds(3600)));
    events.add(crossed(camera, 6, "exit", CountLine.OUT, "car", H0.plusSeconds(40)));
    events.add(new CameraEntity.ObjectStarted(camera, 7, "car", List.of(1.0, 2.0, 3.0, 4.0), H0,
        new ObjectFrame(1, H0, "car", 0.9, List.of(1.0, 2.0, 3.0, 4.0), null, null), List.of(), H0));
    List<EventEnvelope<CameraEntity.Event>> envelopes = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) envelopes.add(ReadSides.envelope(i + 1, events.get(i)));

    projections.run(ReadSides.readSide(testKit, ReadSides.uniqueId("line-counts"), ReadSides.source(envelopes),
        LineCountProjection.writer()), ReadSides.RUN_TIMEOUT, () -> {
      List<LineCountTable.Row> rows = rows(camera, Optional.empty());
      assertEquals(List.of(
          new LineCountTable.Row("exit", "car", CountLine.OUT, H0, 1),
          new LineCountTable.Row("gate", "car", CountLine.IN, H0, 2),
          new LineCountTable.Row("gate", "car", CountLine.OUT, H0, 1),
          new LineCountTable.Row("gate", "person", CountLine.IN, H0, 1),
          new LineCountTable.Row("gate", "car", CountLine.IN, H0.plusSeconds(3600), 1)), rows);
      assertEquals(3, rows(camera, Optional.of("gate")).stream().filter(r -> r.bucketStart().equals(H0)).count());
    });

    // A later run adds to the same rows rather than writing new ones.
    var more = ReadSides.source(List.of(ReadSides.envelope(1, crossed(camera, 8, "gate", CountLine.IN, "car",
        H0.plusSeconds(50)))));
    projections.run(ReadSides.readSide(testKit, ReadSides.uniqueId("line-counts"), more, LineCountProjection.writer()),
        ReadSides.RUN_TIMEOUT, () -> assertEquals(new LineCountTable.Row("gate", "car", CountLine.IN, H0, 3),
            rows(camera, Optional.of("gate")).get(0)));
  }

  private static List<LineCountTable.Row> rows(String camera, Optional<String> line) throws Exception {
    return ReadSides.query(testKit, c -> LineCountTable.counts(c, camera, line, H0, H0.plusSeconds(7200)));
  }
}
