package gtvision.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import gtvision.alerts.WatchEntry;
import gtvision.alerts.WatchListEntity;
import gtvision.alerts.WatchListView;
import gtvision.camera.CameraEntity.AlertRaised;
import gtvision.camera.CameraEntity.Event;
import gtvision.camera.CameraEntity.ObjectEnded;
import gtvision.camera.CameraEntity.ObjectStarted;
import gtvision.camera.CameraEntity.ObjectUpdated;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Plates per object in the camera entity: the vote across an object's frames, its choice on the object
 * events (an update with reason plate when it changes), and one alert per object per enabled watch-list
 * entry its plate matches, the same after a restart. The kit checks that events and state survive CBOR.
 */
class CameraPlatesTest {
  private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
  private static final Instant T0 = Instant.parse("2026-11-24T09:00:00Z");
  private static final ActorTestKit testKit =
      ActorTestKit.create(
          EventSourcedBehaviorTestKit.config()
              .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
              .withFallback(ConfigFactory.parseResources("serialization.conf"))
              .withFallback(ConfigFactory.load()));

  private EventSourcedBehaviorTestKit<CameraEntity.Command, Event, CameraEntity.State> kit;
  private final WatchListView watch = new WatchListView();
  private long revision;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private void camera(int snapshotEvery) {
    var deps = CameraEntity.Dependencies.withoutStreams(new CameraMetrics(new SimpleMeterRegistry()),
        Clock.fixed(NOW, ZoneOffset.UTC), snapshotEvery).withWatch(watch);
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), CameraEntity.create("cam-plates", deps));
    kit.<CameraEntity.Reply>runCommand(replyTo -> new CameraEntity.Register(CameraEntityTest.spec(), replyTo));
  }

  /** The watch list as the node's view would have it after a write. */
  private void watchList(WatchEntry... entries) {
    watch.offer(new WatchListEntity.State(List.of(entries), entries.length + 1, ++revision));
  }

  private static WatchEntry entry(String id, String pattern, String label, boolean enabled) {
    return new WatchEntry(id, pattern, label, enabled, T0, T0);
  }

  private static RecordedDetection car(int second, String plate, Double plateConfidence) {
    double x = 100 + 10 * second;
    return new RecordedDetection("car", 0.8, List.of(x, 100.0, x + 200, 220.0), plate, plateConfidence);
  }

  private List<Event> record(int second, RecordedDetection... detections) {
    var result = kit.<CameraEntity.Reply>runCommand(replyTo -> new CameraEntity.RecordDetections(
        second + 1, T0.plusSeconds(second), "gpu", List.of(detections), "ev/" + second + ".jpg", replyTo));
    assertInstanceOf(CameraEntity.Accepted.class, result.reply());
    return result.events();
  }

  private static <E> List<E> only(List<Event> events, Class<E> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  @Test
  void theVoteAcrossTheObjectsFramesChoosesThePlateAndAChangeIsAnUpdate() {
    camera(100);
    record(0, car(0, "A812CD", 0.9));
    ObjectStarted started = only(record(1, car(1, "A8-12 CD", 0.9)), ObjectStarted.class).get(0);
    assertEquals("A812CD", started.plate(), "the confirming frame's read, normalised; the tentative frame's is not the object's");
    assertEquals("A8-12 CD", started.frame().plate(), "the frame keeps what was read");

    assertTrue(only(record(2, car(2, "AB12CD", 0.5)), ObjectUpdated.class).isEmpty(), "0.5 against 0.9: no change");
    assertTrue(only(record(3, car(3, null, null)), ObjectUpdated.class).isEmpty(), "no read: no change");
    List<ObjectUpdated> changed = only(record(4, car(4, "ab12cd", 0.5)), ObjectUpdated.class);
    assertEquals(1, changed.size());
    assertEquals(List.of(ObjectUpdated.PLATE), changed.get(0).reasons());
    assertEquals("AB12CD", changed.get(0).plate(), "1.0 against 0.9");
    assertEquals(T0.plusSeconds(4), changed.get(0).seenAt());
    assertEquals("AB12CD", kit.getState().objects().get(0).plates().choice());

    var removed = kit.<CameraEntity.Reply>runCommand(CameraEntity.Remove::new);
    assertEquals("AB12CD", only(removed.events(), ObjectEnded.class).get(0).plate(), "the ended event carries the final plate");
  }

  @Test
  void aPlateThatMatchesAnEnabledEntryRaisesOneAlertPerEntryOnce() {
    watchList(entry("1", "AB12CD", "stolen", true), entry("2", "AB*", "fleet", true), entry("3", "ZZ*", "other", true));
    camera(100);
    record(0, car(0, "AB12CD", 0.9));
    List<Event> confirmed = record(1, car(1, "AB12CD", 0.9));
    ObjectStarted started = only(confirmed, ObjectStarted.class).get(0);
    List<AlertRaised> alerts = only(confirmed, AlertRaised.class);
    assertEquals(List.of("1", "2"), alerts.stream().map(AlertRaised::entryId).toList(), "in list order; ZZ* does not match");
    AlertRaised first = alerts.get(0);
    assertEquals("cam-plates:" + started.trackId() + ":1", first.alertId());
    assertEquals("AB12CD", first.plate());
    assertEquals("stolen", first.label());
    assertEquals("car", first.className());
    assertEquals("ev/1.jpg", first.frame().evidenceKey());
    assertEquals(T0.plusSeconds(1), first.frame().capturedAt());
    assertEquals(NOW, first.at());
    for (int s = 2; s < 6; s++) {
      assertTrue(only(record(s, car(s, "AB12CD", 0.9)), AlertRaised.class).isEmpty(), "once per object per entry");
    }
    assertEquals(List.of("1", "2"), kit.getState().objects().get(0).alerted());
  }

  @Test
  void aDisabledEntryRaisesNothingUntilItIsEnabledWhileTheObjectIsInView() {
    watchList(entry("1", "AB?2CD", "stolen", false));
    camera(100);
    record(0, car(0, "AB12CD", 0.9));
    assertTrue(only(record(1, car(1, "AB12CD", 0.9)), AlertRaised.class).isEmpty());
    assertTrue(only(record(2, car(2, null, null)), AlertRaised.class).isEmpty());
    watchList(entry("1", "AB?2CD", "stolen", true));
    List<AlertRaised> alerts = only(record(3, car(3, null, null)), AlertRaised.class);
    assertEquals(1, alerts.size(), "the next sighting of the object, even without a read of its own");
    assertEquals("AB12CD", alerts.get(0).plate());
    assertEquals(T0.plusSeconds(3), alerts.get(0).frame().capturedAt());
  }

  @Test
  void aPlateChangeToAWatchedPlateAlertsInTheFrameOfTheChange() {
    watchList(entry("1", "AB12CD", "stolen", true));
    camera(100);
    record(0, car(0, "A812CD", 0.9));
    assertTrue(only(record(1, car(1, "A812CD", 0.9)), AlertRaised.class).isEmpty());
    assertTrue(only(record(2, car(2, "AB12CD", 0.5)), AlertRaised.class).isEmpty());
    List<Event> change = record(3, car(3, "AB12CD", 0.5));
    assertEquals(List.of(ObjectUpdated.PLATE), only(change, ObjectUpdated.class).get(0).reasons());
    assertEquals(1, only(change, AlertRaised.class).size());
    assertTrue(change.indexOf(only(change, ObjectUpdated.class).get(0)) < change.indexOf(only(change, AlertRaised.class).get(0)),
        "the update that names the plate comes before its alert");
  }

  @Test
  void aRestartRebuildsTheVoteAndTheAlertsFromTheJournalAndAlertsNoAgain() {
    watchList(entry("1", "AB12CD", "stolen", true));
    camera(3);
    record(0, car(0, "AB12CD", 0.9));
    record(1, car(1, "AB12CD", 0.9));
    record(2, car(2, "XY99ZZ", 0.7));
    record(3, car(3, "AB12CD", 0.4));
    record(4, car(4, "XY99ZZ", 0.7));
    CameraEntity.State before = kit.getState();
    CameraEntity.State recovered = kit.restart().state();
    assertEquals(before.objects(), recovered.objects(), "vote and alerts as they were, from snapshot and events");
    assertEquals(1, recovered.objects().size());
    assertEquals(List.of("1"), recovered.objects().get(0).alerted());
    assertTrue(only(record(5, car(5, "AB12CD", 0.9)), AlertRaised.class).isEmpty(), "no second alert after the restart");
    // XY99ZZ: 1.4 against AB12CD's 2.2 then 3.1; then two sure reads make it the choice.
    List<ObjectUpdated> change = List.of();
    for (int s = 6; s < 9 && change.isEmpty(); s++) change = only(record(s, car(s, "XY99ZZ", 1.0)), ObjectUpdated.class);
    assertEquals("XY99ZZ", change.get(0).plate());
  }

  @Test
  void theFirstReadOfAnObjectStartedWithoutOneIsAPlateUpdateEvenWhileItStandsStill() {
    camera(100);
    RecordedDetection parked = new RecordedDetection("car", 0.8, List.of(500.0, 100.0, 700.0, 220.0), null, null);
    record(0, parked);
    assertNull(only(record(1, parked), ObjectStarted.class).get(0).plate());
    // Standing still for longer than still-after (30 s): one still update, then silence.
    assertEquals(List.of(ObjectUpdated.STILL), only(record(40, parked), ObjectUpdated.class).get(0).reasons());
    assertTrue(only(record(41, parked), ObjectUpdated.class).isEmpty());
    RecordedDetection read = new RecordedDetection("car", 0.8, List.of(500.0, 100.0, 700.0, 220.0), "QW12ER", 0.7);
    List<ObjectUpdated> first = only(record(42, read), ObjectUpdated.class);
    assertEquals(List.of(ObjectUpdated.PLATE), first.get(0).reasons());
    assertEquals("QW12ER", first.get(0).plate());
    assertTrue(first.get(0).still(), "a plate update says what the object is: still");
    assertTrue(only(record(43, read), ObjectUpdated.class).isEmpty(), "the same choice again: nothing");
  }

  @Test
  void anObjectWithoutPlateReadsHasNoPlateAndRaisesNothing() {
    watchList(entry("1", "A*", "any A", true));
    camera(100);
    record(0, car(0, null, null));
    List<Event> confirmed = record(1, car(1, null, null));
    assertNull(only(confirmed, ObjectStarted.class).get(0).plate());
    assertTrue(only(confirmed, AlertRaised.class).isEmpty());
    var removed = kit.<CameraEntity.Reply>runCommand(CameraEntity.Remove::new);
    assertNull(only(removed.events(), ObjectEnded.class).get(0).plate());
  }
}
