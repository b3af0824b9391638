package gtvision.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import gtvision.camera.CameraEntity.Event;
import gtvision.camera.CameraEntity.FrameSizeSeen;
import gtvision.camera.CameraEntity.LineCrossed;
import gtvision.camera.CameraEntity.ObjectStarted;
import gtvision.camera.CameraEntity.ObjectUpdated;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Zones and lines in the camera entity: an object's zones at its start, updates when it enters or leaves
 * one and once when it loiters, line crossings with their direction, the classes filter, and the same
 * state after recovery. Frames come as ingested detections on a 1000 x 1000 picture, so a box's bottom
 * centre in pixels is a thousand times its position as a fraction.
 */
class CameraZonesTest {
  private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
  private static final Instant T0 = Instant.parse("2026-11-24T09:00:00Z");
  private static final FrameSize SIZE = new FrameSize(1000, 1000);
  /** The right half of the picture. */
  private static final Zone EAST = new Zone("east",
      List.of(List.of(0.5, 0.0), List.of(1.0, 0.0), List.of(1.0, 1.0), List.of(0.5, 1.0)), List.of(), null);
  /** Across the middle, drawn left to right: coming down the picture is "in". */
  private static final CountLine ROAD = new CountLine("road", List.of(0.0, 0.5), List.of(1.0, 0.5), List.of());
  private static final ActorTestKit testKit =
      ActorTestKit.create(
          EventSourcedBehaviorTestKit.config()
              .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
              .withFallback(ConfigFactory.parseResources("serialization.conf"))
              .withFallback(ConfigFactory.load()));

  private EventSourcedBehaviorTestKit<CameraEntity.Command, Event, CameraEntity.State> kit;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private void camera(ObjectSettings settings, int snapshotEvery, List<Zone> zones, List<CountLine> lines) {
    var deps = CameraEntity.Dependencies.withoutStreams(new CameraMetrics(new SimpleMeterRegistry()),
        Clock.fixed(NOW, ZoneOffset.UTC), snapshotEvery).withObjects(settings);
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), CameraEntity.create("cam-zones", deps));
    var reply = kit.<CameraEntity.Reply>runCommand(replyTo -> new CameraEntity.Register(spec(zones, lines), replyTo));
    assertInstanceOf(CameraEntity.Accepted.class, reply.reply());
  }

  private void camera(List<Zone> zones, List<CountLine> lines) {
    camera(ObjectSettings.DEFAULTS, 100, zones, lines);
  }

  private static CameraSpec spec(List<Zone> zones, List<CountLine> lines) {
    return new CameraSpec("Gate 3", "rtsp://10.0.0.7/stream1", "rtsp", 1.0, null, List.of(), null, null, null, zones,
        lines);
  }

  /** A 200 x 120 box whose top-left corner is (x, y): its bottom centre is (x + 100, y + 120). */
  private static RecordedDetection box(String className, double x, double y) {
    return new RecordedDetection(className, 0.8, List.of(x, y, x + 200, y + 120), null, null);
  }

  /** One ingested frame at second {@code second}, with the picture size. */
  private List<Event> frame(int second, RecordedDetection... detections) {
    var group = new CameraEntity.DetectionGroup(second + 1, T0.plusSeconds(second), "ingest", List.of(detections), SIZE);
    var result = kit.<CameraEntity.Reply>runCommand(replyTo -> new CameraEntity.IngestDetections(List.of(group), replyTo));
    assertInstanceOf(CameraEntity.Accepted.class, result.reply());
    return result.events();
  }

  private static <E> List<E> only(List<Event> events, Class<E> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static List<ObjectUpdated> updatesFor(List<Event> events, String reason) {
    return only(events, ObjectUpdated.class).stream().filter(u -> u.reasons().contains(reason)).toList();
  }

  @Test
  void anObjectEntersAndLeavesAZoneOnceEachByItsBoxsBottomCentre() {
    camera(List.of(EAST), List.of());
    List<Event> all = new ArrayList<>();
    for (int s = 0; s <= 12; s++) all.addAll(frame(s, box("car", 210 + 25 * s, 400)));
    assertEquals(1, only(all, FrameSizeSeen.class).size(), "the size is told once, when it is new");
    assertEquals(List.of(), only(all, ObjectStarted.class).get(0).zones(), "started west of the zone");
    List<ObjectUpdated> entered = updatesFor(all, ObjectUpdated.ZONE_ENTERED);
    assertEquals(1, entered.size());
    // Bottom centre x = 310 + 25 s: past 500 (0.5 of the picture) first at s = 8.
    assertEquals(T0.plusSeconds(8), entered.get(0).seenAt());
    assertEquals(List.of("east"), entered.get(0).zones());
    assertEquals(List.of("east"), kit.getState().objects().get(0).presence().zones().keySet().stream().toList());

    List<Event> back = new ArrayList<>();
    for (int s = 13; s <= 20; s++) back.addAll(frame(s, box("car", 500 - 25 * (s - 12), 400)));
    List<ObjectUpdated> left = updatesFor(back, ObjectUpdated.ZONE_LEFT);
    assertEquals(1, left.size());
    assertEquals(List.of(), left.get(0).zones());
    assertTrue(updatesFor(back, ObjectUpdated.ZONE_ENTERED).isEmpty());
  }

  @Test
  void anObjectThatStartsInAZoneSaysSoAtItsStart() {
    camera(List.of(EAST), List.of());
    frame(0, box("car", 600, 400));
    ObjectStarted started = only(frame(1, box("car", 610, 400)), ObjectStarted.class).get(0);
    assertEquals(List.of("east"), started.zones());
  }

  @Test
  void loiteringIsToldOnceAfterTheZonesLoiterAfter() {
    Zone slow = new Zone("east", EAST.polygon(), List.of(), 10.0);
    camera(List.of(slow), List.of());
    List<Event> all = new ArrayList<>();
    for (int s = 0; s <= 20; s++) all.addAll(frame(s, box("car", 600 + 2 * s, 400)));
    List<ObjectUpdated> loitering = updatesFor(all, ObjectUpdated.LOITERING);
    assertEquals(1, loitering.size(), "once per stay");
    // In the zone since its start (the confirming frame, second 1): 10 s later.
    assertEquals(T0.plusSeconds(11), loitering.get(0).seenAt());
    assertEquals(List.of("east"), loitering.get(0).loitering());
    assertEquals(List.of("east"), kit.getState().objects().get(0).presence().loitering());
  }

  @Test
  void aZoneWithoutItsOwnThresholdUsesTheDeploymentsLoiterAfter() {
    camera(ObjectSettings.DEFAULTS.withLoiterAfter(Duration.ofSeconds(4)), 100, List.of(EAST), List.of());
    List<Event> all = new ArrayList<>();
    for (int s = 0; s <= 8; s++) all.addAll(frame(s, box("car", 600 + 2 * s, 400)));
    List<ObjectUpdated> loitering = updatesFor(all, ObjectUpdated.LOITERING);
    assertEquals(1, loitering.size());
    assertEquals(T0.plusSeconds(5), loitering.get(0).seenAt());
  }

  @Test
  void crossingALineIsOneEventWithTheDirectionOfTheSideItEndsOn() {
    camera(List.of(), List.of(ROAD));
    List<Event> down = new ArrayList<>();
    // Bottom centre y = 420 + 25 s: past 500 first at s = 4.
    for (int s = 0; s <= 8; s++) down.addAll(frame(s, box("car", 400, 300 + 25 * s)));
    List<LineCrossed> crossed = only(down, LineCrossed.class);
    assertEquals(1, crossed.size());
    LineCrossed c = crossed.get(0);
    assertEquals("road", c.line());
    assertEquals(CountLine.IN, c.direction(), "down across a line drawn left to right");
    assertEquals("car", c.className());
    assertEquals(T0.plusSeconds(4), c.crossedAt());
    assertEquals(List.of(0.5, 0.52), c.point());
    assertEquals(only(down, ObjectStarted.class).get(0).trackId(), c.trackId());

    List<Event> up = new ArrayList<>();
    for (int s = 9; s <= 16; s++) up.addAll(frame(s, box("car", 400, 500 - 25 * (s - 8))));
    List<LineCrossed> back = only(up, LineCrossed.class);
    assertEquals(1, back.size());
    assertEquals(CountLine.OUT, back.get(0).direction());
  }

  @Test
  void zonesAndLinesOnlyCountTheirClasses() {
    Zone people = new Zone("east", EAST.polygon(), List.of("person"), null);
    CountLine walk = new CountLine("road", ROAD.from(), ROAD.to(), List.of("person"));
    camera(List.of(people), List.of(walk));
    List<Event> all = new ArrayList<>();
    // A person and, 250 px above it, a car, both going down-right into the zone (at s = 5) and across the
    // line (the person at s = 4, the car at s = 14).
    for (int s = 0; s <= 16; s++) {
      all.addAll(frame(s, box("car", 300 + 25 * s, 50 + 25 * s), box("person", 300 + 25 * s, 300 + 25 * s)));
    }
    List<ObjectStarted> started = only(all, ObjectStarted.class);
    assertEquals(2, started.size());
    long person = started.stream().filter(o -> o.className().equals("person")).findFirst().orElseThrow().trackId();
    List<LineCrossed> crossed = only(all, LineCrossed.class);
    assertEquals(1, crossed.size(), "the car crossed too, but the line counts people");
    assertEquals(person, crossed.get(0).trackId());
    List<ObjectUpdated> entered = updatesFor(all, ObjectUpdated.ZONE_ENTERED);
    assertEquals(1, entered.size(), "the car is in the zone too, but the zone counts people");
    assertEquals(person, entered.get(0).trackId());
  }

  @Test
  void withoutAKnownPictureSizeNoObjectIsInAZoneOrCrossesALine() {
    camera(List.of(EAST), List.of(ROAD));
    List<Event> all = new ArrayList<>();
    for (int s = 0; s <= 8; s++) {
      int second = s;
      var result = kit.<CameraEntity.Reply>runCommand(replyTo -> new CameraEntity.RecordDetections(second + 1,
          T0.plusSeconds(second), "gpu", List.of(box("car", 600, 300 + 25 * second)), replyTo));
      all.addAll(result.events());
    }
    assertEquals(List.of(), only(all, ObjectStarted.class).get(0).zones());
    assertTrue(only(all, LineCrossed.class).isEmpty());
    assertTrue(only(all, ObjectUpdated.class).stream().allMatch(u -> u.zones().isEmpty()));
  }

  @Test
  void aNewPictureSizeIsNoMoveAcrossALine() {
    camera(List.of(), List.of(ROAD));
    frame(0, box("car", 400, 300));
    frame(1, box("car", 400, 305));
    // The same pixels on a picture said to be half as high: positions are kept in pixels and both ends of a
    // move are measured against the current size, so a size change alone moves nothing across the line.
    List<Event> events = new ArrayList<>();
    for (int s = 2; s <= 4; s++) {
      int second = s;
      var group = new CameraEntity.DetectionGroup(s + 1, T0.plusSeconds(s), "ingest", List.of(box("car", 400, 305 + s)),
          new FrameSize(1000, 500));
      var result = kit.<CameraEntity.Reply>runCommand(replyTo -> new CameraEntity.IngestDetections(List.of(group), replyTo));
      assertInstanceOf(CameraEntity.Accepted.class, result.reply(), "frame " + second);
      events.addAll(result.events());
    }
    assertEquals(1, only(events, FrameSizeSeen.class).size());
    assertTrue(only(events, LineCrossed.class).isEmpty(), "the object did not move; the picture changed");
    assertEquals(new FrameSize(1000, 500), kit.getState().frameSize());
  }

  @Test
  void aZoneAddedByAnUpdateCountsFromTheNextFrame() {
    camera(List.of(), List.of());
    frame(0, box("car", 600, 400));
    frame(1, box("car", 605, 400));
    assertTrue(updatesFor(frame(2, box("car", 610, 400)), ObjectUpdated.ZONE_ENTERED).isEmpty());
    var reply = kit.<CameraEntity.Reply>runCommand(replyTo -> new CameraEntity.Update(spec(List.of(EAST), List.of()), replyTo));
    assertInstanceOf(CameraEntity.Accepted.class, reply.reply());
    List<ObjectUpdated> entered = updatesFor(frame(3, box("car", 615, 400)), ObjectUpdated.ZONE_ENTERED);
    assertEquals(1, entered.size());
    assertEquals(List.of("east"), entered.get(0).zones());
  }

  @Test
  void recoveryRebuildsZonesLoiteringAndTheLastPointSoNothingIsToldTwice() {
    Zone slow = new Zone("east", EAST.polygon(), List.of(), 3.0);
    camera(ObjectSettings.DEFAULTS, 4, List.of(slow), List.of(ROAD));
    // Into the zone, loitering there, then across the line.
    for (int s = 0; s <= 5; s++) frame(s, box("car", 600, 300 + 10 * s));
    CameraEntity.State before = kit.getState();
    assertEquals(List.of("east"), before.objects().get(0).presence().loitering());
    CameraEntity.State recovered = kit.restart().state();
    assertEquals(before.objects(), recovered.objects(), "zones, entry times, loitering and the last point");
    assertEquals(before.frameSize(), recovered.frameSize());
    List<Event> after = new ArrayList<>();
    for (int s = 6; s <= 12; s++) after.addAll(frame(s, box("car", 600, 300 + 10 * s)));
    assertTrue(updatesFor(after, ObjectUpdated.LOITERING).isEmpty(), "loitering was told before the restart");
    assertTrue(only(after, FrameSizeSeen.class).isEmpty(), "the size is known after recovery");
    // Bottom centre y = 420 + 10 s: past 500 first at s = 9.
    List<LineCrossed> crossed = only(after, LineCrossed.class);
    assertEquals(1, crossed.size());
    assertEquals(T0.plusSeconds(9), crossed.get(0).crossedAt());
  }
}
