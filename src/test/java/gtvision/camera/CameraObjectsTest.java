package gtvision.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import gtvision.camera.CameraEntity.DetectionsRecorded;
import gtvision.camera.CameraEntity.Event;
import gtvision.camera.CameraEntity.ObjectEnded;
import gtvision.camera.CameraEntity.ObjectStarted;
import gtvision.camera.CameraEntity.ObjectUpdated;
import gtvision.tracking.TrackerSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The camera's tracked objects: detections go through the camera's tracker, carry their trackId, and
 * make a few object events (started, updated when worth it, ended), never one per frame. The kit checks
 * that every event and the state (with the tracker in it) survive CBOR.
 */
class CameraObjectsTest {
  private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
  private static final Instant T0 = Instant.parse("2026-11-24T09:00:00Z");
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

  private void camera(ObjectSettings settings, int snapshotEvery) {
    var deps = CameraEntity.Dependencies.withoutStreams(new CameraMetrics(new SimpleMeterRegistry()),
        Clock.fixed(NOW, ZoneOffset.UTC), snapshotEvery).withObjects(settings);
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), CameraEntity.create("cam-obj", deps));
    kit.<CameraEntity.Reply>runCommand(replyTo -> new CameraEntity.Register(CameraEntityTest.spec(), replyTo));
  }

  private static ObjectSettings settings(int maxMisses, Duration maxAge, Duration stillAfter, double gain) {
    TrackerSettings d = TrackerSettings.DEFAULTS;
    return new ObjectSettings(new TrackerSettings(d.highThreshold(), d.lowThreshold(), d.matchIou(), d.confirmHits(),
        maxMisses, maxAge, d.stillThreshold(), stillAfter, d.classGroups()), gain);
  }

  private static RecordedDetection car(double x, double confidence, double size) {
    return new RecordedDetection("car", confidence, List.of(x, 100.0, x + size, 100.0 + size * 0.6), null, null);
  }

  private static RecordedDetection person(double x) {
    return new RecordedDetection("person", 0.9, List.of(x, 500.0, x + 40, 600.0), null, null);
  }

  private List<Event> record(long seq, int second, String evidenceKey, RecordedDetection... detections) {
    return recordAt(seq, T0.plusSeconds(second), evidenceKey, detections);
  }

  private List<Event> recordAt(long seq, Instant capturedAt, String evidenceKey, RecordedDetection... detections) {
    var result = kit.<CameraEntity.Reply>runCommand(replyTo -> new CameraEntity.RecordDetections(
        seq, capturedAt, "gpu", List.of(detections), evidenceKey, replyTo));
    assertInstanceOf(CameraEntity.Accepted.class, result.reply());
    return result.events();
  }

  private static <E> List<E> only(List<Event> events, Class<E> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  @Test
  void aMovingCarBecomesOneObjectWhoseDetectionsShareItsTrackId() {
    camera(ObjectSettings.DEFAULTS, 100);
    List<Event> first = record(1, 0, null, car(100, 0.8, 200));
    assertNull(only(first, DetectionsRecorded.class).get(0).detections().get(0).trackId(), "tentative: no id yet");
    assertTrue(only(first, ObjectStarted.class).isEmpty());

    List<Event> second = record(2, 1, "ev/2.jpg", car(120, 0.8, 200));
    Long id = only(second, DetectionsRecorded.class).get(0).detections().get(0).trackId();
    assertNotNull(id, "confirmed after confirm-hits frames");
    ObjectStarted started = only(second, ObjectStarted.class).get(0);
    assertEquals(id, started.trackId());
    assertEquals("car", started.className());
    assertEquals(T0, started.startedAt(), "started at its first detection");
    assertEquals(List.of(120.0, 100.0, 320.0, 220.0), started.box());
    assertEquals("ev/2.jpg", started.frame().evidenceKey());
    assertEquals(List.of(), started.zones());

    for (int s = 2; s < 8; s++) {
      List<Event> events = record(s + 1, s, null, car(100 + 20 * s, 0.8, 200));
      assertEquals(id, only(events, DetectionsRecorded.class).get(0).detections().get(0).trackId());
      assertEquals(List.of(DetectionsRecorded.class), events.stream().map(Object::getClass).toList(),
          "nothing worth an event: no object event per frame");
    }
    assertEquals(1, kit.getState().objects().size());
  }

  @Test
  void aClearlyBetterFrameIsAnUpdateWithItsEvidenceKeyAndTheObjectEndsAfterMissesWithItsBestFrame() {
    camera(settings(3, Duration.ofSeconds(60), Duration.ofSeconds(30), 0.25), 100);
    record(1, 0, null, car(100, 0.6, 200));
    long id = only(record(2, 1, "ev/2.jpg", car(110, 0.6, 200)), ObjectStarted.class).get(0).trackId();
    assertTrue(only(record(3, 2, "ev/3.jpg", car(120, 0.65, 200)), ObjectUpdated.class).isEmpty(),
        "a slightly better frame is not worth an update");
    ObjectUpdated better = only(record(4, 3, "ev/4.jpg", car(130, 0.95, 220)), ObjectUpdated.class).get(0);
    assertEquals(id, better.trackId());
    assertEquals(List.of(ObjectUpdated.BETTER_FRAME), better.reasons());
    assertEquals("ev/4.jpg", better.best().evidenceKey());
    assertEquals(0.95, better.best().confidence());

    // Frames that show only someone else: the car misses max-misses of them and ends.
    List<Event> after = new ArrayList<>();
    for (int s = 4; s < 8; s++) after.addAll(record(s + 1, s, null, person(900 + s)));
    List<ObjectEnded> ended = only(after, ObjectEnded.class).stream().filter(e -> e.trackId() == id).toList();
    assertEquals(1, ended.size());
    ObjectEnded end = ended.get(0);
    assertEquals(ObjectTracking.LOST, end.reason());
    assertEquals(T0, end.startedAt());
    assertEquals(T0.plusSeconds(3), end.lastSeen());
    assertEquals(3000, end.dwellMillis());
    assertEquals("ev/4.jpg", end.best().evidenceKey(), "the best frame's evidence key");
    assertTrue(end.path().size() >= 2, "a path from first to last sighting");
    assertEquals(T0, end.path().get(0).at());
    assertEquals(T0.plusSeconds(3), end.path().get(end.path().size() - 1).at());
    assertTrue(kit.getState().objects().stream().noneMatch(o -> o.trackId() == id));
  }

  @Test
  void aStillObjectStopsUpdatingUntilItMovesAgain() {
    camera(settings(5, Duration.ofSeconds(60), Duration.ofSeconds(5), 0.0), 100);
    record(1, 0, null, car(100, 0.50, 200));
    record(2, 1, null, car(100, 0.51, 200));
    List<ObjectUpdated> updates = new ArrayList<>();
    // Parked: the same box, its confidence creeping up (each frame "better"), for 20 seconds.
    for (int s = 2; s < 22; s++) updates.addAll(only(record(s + 1, s, null, car(100, 0.52 + s * 0.01, 200)), ObjectUpdated.class));
    List<ObjectUpdated> stillOnes = updates.stream().filter(ObjectUpdated::still).toList();
    assertEquals(1, stillOnes.size(), "one update says it stopped");
    assertEquals(List.of(ObjectUpdated.STILL), stillOnes.get(0).reasons());
    int stillAt = updates.indexOf(stillOnes.get(0));
    assertEquals(stillAt, updates.size() - 1, "no update after it became still, however much better its frames");
    assertTrue(stillOnes.get(0).seenAt().compareTo(T0.plusSeconds(5)) >= 0, "still only after still-after");

    // It drives off: updates again.
    List<ObjectUpdated> moving = new ArrayList<>();
    for (int s = 22; s < 26; s++) moving.addAll(only(record(s + 1, s, null, car(100 + (s - 21) * 60, 0.9, 200)), ObjectUpdated.class));
    assertTrue(!moving.isEmpty() && moving.get(0).reasons().contains(ObjectUpdated.MOVING) && !moving.get(0).still(),
        "moving again is announced: " + moving);
  }

  @Test
  void theClassChangesByVoteAcrossTheObjectsFrames() {
    camera(ObjectSettings.DEFAULTS, 100);
    record(1, 0, null, car(100, 0.55, 200));
    long id = only(record(2, 1, null, car(105, 0.55, 200)), ObjectStarted.class).get(0).trackId();
    List<ObjectUpdated> updates = new ArrayList<>();
    // The detector now says truck (same class group, so the same track), surely: the vote turns.
    for (int s = 2; s < 5; s++) {
      RecordedDetection truck = new RecordedDetection("truck", 0.9, car(100 + 5 * s, 0.9, 200).bbox(), null, null);
      updates.addAll(only(record(s + 1, s, null, truck), ObjectUpdated.class));
    }
    List<ObjectUpdated> classChanges = updates.stream().filter(u -> u.reasons().contains(ObjectUpdated.CLASS)).toList();
    assertEquals(1, classChanges.size(), "one update when the vote turns: " + updates);
    assertEquals("truck", classChanges.get(0).className());
    assertEquals(id, classChanges.get(0).trackId());
    assertEquals("truck", kit.getState().objects().get(0).className());
  }

  @Test
  void ingestedFramesAreTrackedInCaptureOrderWhateverTheirOrderInTheRequest() {
    camera(ObjectSettings.DEFAULTS, 100);
    List<CameraEntity.DetectionGroup> groups = new ArrayList<>();
    for (int s = 4; s >= 0; s--) {
      groups.add(new CameraEntity.DetectionGroup(s + 1, T0.plusSeconds(s), "ingest", List.of(car(100 + 25 * s, 0.8, 200))));
    }
    var result = kit.<CameraEntity.Reply>runCommand(replyTo -> new CameraEntity.IngestDetections(groups, replyTo));
    assertInstanceOf(CameraEntity.Accepted.class, result.reply());
    List<DetectionsRecorded> frames = only(result.events(), DetectionsRecorded.class);
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), frames.stream().map(DetectionsRecorded::frameSequence).toList());
    Set<Long> ids = new java.util.HashSet<>();
    frames.stream().skip(1).forEach(f -> ids.add(f.detections().get(0).trackId()));
    assertEquals(1, ids.size(), "one object across the request: " + ids);
    assertEquals(1, only(result.events(), ObjectStarted.class).size());

    // A later request goes on with the same object; an older frame is recorded untracked.
    var next = kit.<CameraEntity.Reply>runCommand(replyTo -> new CameraEntity.IngestDetections(List.of(
        new CameraEntity.DetectionGroup(6, T0.plusSeconds(5), "ingest", List.of(car(225, 0.8, 200))),
        new CameraEntity.DetectionGroup(0, T0.minusSeconds(10), "ingest", List.of(car(0, 0.8, 200)))), replyTo));
    List<DetectionsRecorded> later = only(next.events(), DetectionsRecorded.class);
    assertNull(later.get(0).detections().get(0).trackId(), "older than what was tracked");
    assertEquals(ids.iterator().next(), later.get(1).detections().get(0).trackId());
    assertTrue(only(next.events(), ObjectStarted.class).isEmpty());
  }

  @Test
  void anObjectSurvivesARestartFromSnapshotAndEvents() {
    camera(ObjectSettings.DEFAULTS, 3);
    record(1, 0, null, car(100, 0.8, 200));
    long id = only(record(2, 1, null, car(120, 0.8, 200)), ObjectStarted.class).get(0).trackId();
    for (int s = 2; s < 6; s++) record(s + 1, s, null, car(100 + 20 * s, 0.8, 200));
    CameraEntity.State before = kit.getState();
    CameraEntity.State recovered = kit.restart().state();
    assertEquals(before.tracker(), recovered.tracker(), "the tracker state is rebuilt exactly");
    assertEquals(before.objects(), recovered.objects());
    List<Event> after = record(7, 6, null, car(220, 0.8, 200));
    assertEquals(id, only(after, DetectionsRecorded.class).get(0).detections().get(0).trackId());
    assertTrue(only(after, ObjectStarted.class).isEmpty(), "the same object goes on, it does not start again");
  }

  @Test
  void removingTheCameraEndsItsOpenObjects() {
    camera(ObjectSettings.DEFAULTS, 100);
    record(1, 0, null, car(100, 0.8, 200));
    long id = only(record(2, 1, null, car(120, 0.8, 200)), ObjectStarted.class).get(0).trackId();
    var result = kit.<CameraEntity.Reply>runCommand(CameraEntity.Remove::new);
    ObjectEnded end = only(result.events(), ObjectEnded.class).get(0);
    assertEquals(id, end.trackId());
    assertEquals(ObjectTracking.REMOVED, end.reason());
    assertInstanceOf(CameraEntity.Removed.class, result.events().get(result.events().size() - 1));
    assertTrue(result.state().objects().isEmpty());
  }

  @Test
  void aCameraThatGoesSilentEndsItsObjectsAfterMaxAge() {
    camera(settings(5, Duration.ofMillis(300), Duration.ofSeconds(30), 0.25), 100);
    recordAt(1, T0, null, car(100, 0.8, 200));
    recordAt(2, T0.plusMillis(100), null, car(105, 0.8, 200));
    assertEquals(1, kit.getState().objects().size());
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(50), () -> {
      assertTrue(kit.getState().objects().isEmpty(), "ended after max-age without frames");
      return null;
    });
    assertTrue(kit.getState().tracker().tracks().stream().noneMatch(t -> t.confirmed()));
  }

  @Test
  void aFrameWithABoxWithoutAreaIsRecordedUntracked() {
    camera(ObjectSettings.DEFAULTS, 100);
    RecordedDetection flat = new RecordedDetection("car", 0.9, List.of(10.0, 10.0, 10.0, 50.0), null, null);
    List<Event> events = record(1, 0, null, flat, car(100, 0.8, 200));
    assertNull(only(events, DetectionsRecorded.class).get(0).detections().get(0).trackId());
    assertEquals(1, kit.getState().tracker().tracks().size(), "the other detection is tracked");
  }
}
