package gtvision.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.typesafe.config.ConfigFactory;
import gtvision.testsupport.MediaTools;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CameraEntityTest {
  private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
  private static final ActorTestKit testKit =
      ActorTestKit.create(
          EventSourcedBehaviorTestKit.config()
              .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
              .withFallback(ConfigFactory.parseResources("serialization.conf"))
              .withFallback(ConfigFactory.load()));

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private EventSourcedBehaviorTestKit<CameraEntity.Command, CameraEntity.Event, CameraEntity.State> kit;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    kit = entity("cam-17");
  }

  private EventSourcedBehaviorTestKit<CameraEntity.Command, CameraEntity.Event, CameraEntity.State> entity(String id) {
    // Serialization of every command, event, reply and state is verified by the kit (CBOR).
    return EventSourcedBehaviorTestKit.create(
        testKit.system(),
        CameraEntity.create(id, CameraEntity.Dependencies.withoutStreams(new CameraMetrics(registry), Clock.fixed(NOW, ZoneOffset.UTC), 3)));
  }

  static CameraSpec spec() {
    return new CameraSpec("Gate 3", "rtsp://user:pw@10.0.0.7/stream1", "rtsp", 1.0, new Location(-23.5, -46.6),
        List.of("gate"), null);
  }

  static CameraSpec withFps(double fps) {
    CameraSpec s = spec();
    return new CameraSpec(s.name(), s.sourceUrl(), s.sourceKind(), fps, s.location(), s.tags(), s.enabled());
  }

  private CommandResultWithReply<CameraEntity.Command, CameraEntity.Event, CameraEntity.State, CameraEntity.Reply> register(
      CameraSpec spec) {
    return kit.<CameraEntity.Reply>runCommand(replyTo -> new CameraEntity.Register(spec, replyTo));
  }

  private static CameraEntity.Rejected rejected(
      CommandResultWithReply<CameraEntity.Command, CameraEntity.Event, CameraEntity.State, CameraEntity.Reply> result) {
    assertTrue(result.hasNoEvents(), "a rejected command persists nothing");
    return assertInstanceOf(CameraEntity.Rejected.class, result.reply());
  }

  @Test
  void registerPersistsRegisteredWithTheValidatedConfig() {
    var result = register(spec());
    var event = result.eventOfType(CameraEntity.Registered.class);
    assertEquals("cam-17", event.cameraId());
    assertEquals(SourceKind.RTSP, event.config().sourceKind());
    assertEquals(NOW, event.at());
    assertEquals(CameraEntity.Status.REGISTERED, result.state().status());
    assertInstanceOf(CameraEntity.Accepted.class, result.reply());
  }

  @Test
  void registerWithEnabledTruePersistsRegisteredAndEnabled() {
    CameraSpec s = spec();
    var result = register(new CameraSpec(s.name(), s.sourceUrl(), s.sourceKind(), s.fps(), s.location(), s.tags(), true));
    assertEquals(2, result.events().size());
    assertInstanceOf(CameraEntity.Enabled.class, result.events().get(1));
    assertEquals(CameraEntity.Status.ENABLED, result.state().status());
  }

  @Test
  void registerDefaultsFpsToOne() {
    CameraSpec s = spec();
    var result = register(new CameraSpec(s.name(), s.sourceUrl(), s.sourceKind(), null, null, null, null));
    assertEquals(1.0, result.state().config().fps());
    assertEquals(List.of(), result.state().config().tags());
  }

  @Test
  void registerOfAnExistingIdIsAConflict() {
    register(spec());
    var rejection = rejected(register(spec()));
    assertEquals(CameraEntity.RejectionKind.CONFLICT, rejection.kind());
    assertEquals("id", rejection.field());
  }

  @Test
  void registerWithABadIdIsRejected() {
    kit = entity("Bad Id!");
    var rejection = rejected(register(spec()));
    assertEquals(CameraEntity.RejectionKind.INVALID, rejection.kind());
    assertEquals("id", rejection.field());
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "'rtsp://user:pw@10.0.0.7/stream1', rtsp, 0.01, fps",
    "'rtsp://user:pw@10.0.0.7/stream1', rtsp, 31, fps",
    "'rtsp://user:pw@10.0.0.7/stream1', webcam, 1, sourceKind",
    "'not a url', rtsp, 1, sourceUrl",
    "'http://10.0.0.7/snap.jpg', rtsp, 1, sourceUrl",
    "'rtsp:///stream1', rtsp, 1, sourceUrl",
    "'', snapshot, 1, sourceUrl",
  })
  void invalidConfigurationIsRejectedNamingTheField(String url, String kind, double fps, String field) {
    var rejection = rejected(register(new CameraSpec("Gate", url, kind, fps, null, List.of(), null)));
    assertEquals(CameraEntity.RejectionKind.INVALID, rejection.kind());
    assertEquals(field, rejection.field());
  }

  @Test
  void fpsBoundsAreInclusive() {
    assertInstanceOf(CameraEntity.Accepted.class, register(withFps(0.05)).reply());
    kit = entity("cam-18");
    assertInstanceOf(CameraEntity.Accepted.class, register(withFps(30)).reply());
  }

  @Test
  void missingNameAndBadLocationAreRejected() {
    CameraSpec s = spec();
    assertEquals("name", rejected(register(new CameraSpec(" ", s.sourceUrl(), "rtsp", 1.0, null, null, null))).field());
    assertEquals("location.lat",
        rejected(register(new CameraSpec("x", s.sourceUrl(), "rtsp", 1.0, new Location(91, 0), null, null))).field());
  }

  @Test
  void rejectionMessagesNeverContainThePassword() {
    var rejection = rejected(register(new CameraSpec("x", "rtsp://user:s3cret@host/ bad", "rtsp", 1.0, null, null, null)));
    assertEquals("sourceUrl", rejection.field());
    assertTrue(!rejection.message().contains("s3cret"), rejection.message());
  }

  @Test
  void updateChangesTheConfigAndCanEnable() {
    register(spec());
    CameraSpec s = spec();
    var result = kit.<CameraEntity.Reply>runCommand(replyTo -> new CameraEntity.Update(
        new CameraSpec("Gate 4", s.sourceUrl(), "rtsp", 2.0, s.location(), s.tags(), true), replyTo));
    assertInstanceOf(CameraEntity.Updated.class, result.events().get(0));
    assertInstanceOf(CameraEntity.Enabled.class, result.events().get(1));
    assertEquals("Gate 4", result.state().config().name());
    assertEquals(2.0, result.state().config().fps());
  }

  @Test
  void updateWithoutChangesPersistsNothing() {
    register(spec());
    var result = kit.<CameraEntity.Reply>runCommand(replyTo -> new CameraEntity.Update(spec(), replyTo));
    assertTrue(result.hasNoEvents());
    assertInstanceOf(CameraEntity.Accepted.class, result.reply());
  }

  @Test
  void updateOfAnUnknownOrRemovedCameraIsNotFound() {
    assertEquals(CameraEntity.RejectionKind.NOT_FOUND,
        rejected(kit.runCommand(replyTo -> new CameraEntity.Update(spec(), replyTo))).kind());
    register(spec());
    kit.runCommand(CameraEntity.Remove::new);
    var rejection = rejected(kit.runCommand(replyTo -> new CameraEntity.Update(spec(), replyTo)));
    assertEquals(CameraEntity.RejectionKind.NOT_FOUND, rejection.kind());
    assertTrue(rejection.message().contains("removed"));
  }

  @Test
  void updateWithInvalidConfigIsRejected() {
    register(spec());
    assertEquals("fps", rejected(kit.runCommand(replyTo -> new CameraEntity.Update(withFps(100), replyTo))).field());
  }

  @Test
  void enableAndDisableChangeTheStatusOnceEach() {
    register(spec());
    var enabled = kit.<CameraEntity.Reply>runCommand(CameraEntity.Enable::new);
    assertEquals(List.of(new CameraEntity.Enabled("cam-17", NOW)), enabled.events());
    assertTrue(kit.<CameraEntity.Reply>runCommand(CameraEntity.Enable::new).hasNoEvents(), "enable is idempotent");

    var disabled = kit.<CameraEntity.Reply>runCommand(CameraEntity.Disable::new);
    assertEquals(List.of(new CameraEntity.Disabled("cam-17", NOW)), disabled.events());
    assertEquals(CameraEntity.Status.DISABLED, disabled.state().status());
    assertTrue(kit.<CameraEntity.Reply>runCommand(CameraEntity.Disable::new).hasNoEvents(), "disable is idempotent");
  }

  @Test
  void enableDisableAndRemoveOfAnUnknownCameraAreNotFound() {
    assertEquals(CameraEntity.RejectionKind.NOT_FOUND, rejected(kit.runCommand(CameraEntity.Enable::new)).kind());
    assertEquals(CameraEntity.RejectionKind.NOT_FOUND, rejected(kit.runCommand(CameraEntity.Disable::new)).kind());
    assertEquals(CameraEntity.RejectionKind.NOT_FOUND, rejected(kit.runCommand(CameraEntity.Remove::new)).kind());
  }

  @Test
  void removeMarksTheCameraRemovedAndItCanBeRegisteredAgain() {
    register(spec());
    kit.runCommand(CameraEntity.Enable::new);
    var removed = kit.<CameraEntity.Reply>runCommand(CameraEntity.Remove::new);
    assertEquals(List.of(new CameraEntity.Removed("cam-17", NOW)), removed.events());
    assertEquals(CameraEntity.Status.REMOVED, removed.state().status());
    assertEquals(CameraEntity.RejectionKind.NOT_FOUND, rejected(kit.runCommand(CameraEntity.Remove::new)).kind());

    var again = register(spec());
    assertEquals(CameraEntity.Status.REGISTERED, again.state().status());
  }

  @Test
  void getStateAnswersTheStateOrNotFound() {
    assertEquals(CameraEntity.RejectionKind.NOT_FOUND, rejected(kit.runCommand(CameraEntity.GetState::new)).kind());
    register(spec());
    var result = kit.<CameraEntity.Reply>runCommand(CameraEntity.GetState::new);
    assertTrue(result.hasNoEvents());
    var state = assertInstanceOf(CameraEntity.Accepted.class, result.reply()).state();
    assertEquals("Gate 3", state.config().name());
    assertEquals(StreamHealth.IDLE, state.health());
    assertEquals(CameraCounters.ZERO, state.counters());
    assertEquals(NOW, state.createdAt());
  }

  @Test
  void stateSurvivesRestartFromEventsAndSnapshots() {
    register(spec());
    kit.runCommand(CameraEntity.Enable::new);
    kit.runCommand(CameraEntity.Disable::new);
    kit.runCommand(CameraEntity.Enable::new); // 4 events: snapshot after the 3rd
    CameraEntity.State before = kit.getState();
    var restarted = kit.restart();
    assertEquals(before, restarted.state());
  }

  @Test
  void persistLatencyIsRecordedForEveryPersistingCommand() {
    register(spec());
    kit.runCommand(CameraEntity.Enable::new);
    kit.runCommand(CameraEntity.Enable::new); // no-op: nothing persisted, nothing timed
    assertEquals(2, registry.get("gtv.camera.persist").timer().count());
  }

  @Test
  void everyCameraMapsToOneFixedSlice() {
    String tag = CameraTags.forCamera("cam-17");
    assertTrue(CameraTags.ALL.contains(tag));
    assertEquals(tag, CameraTags.forCamera("cam-17"));
    assertEquals(CameraTags.SLICES, CameraTags.ALL.size());
  }

  private static final List<RecordedDetection> CAR =
      List.of(new RecordedDetection("car", 0.91, List.of(10.0, 20.0, 110.0, 80.0), "ABC1D23", 0.88));

  @Test
  void recordDetectionsPersistsThemAndUpdatesCountersAndLastDetections() {
    register(spec());
    var result = kit.<CameraEntity.Reply>runCommand(replyTo -> new CameraEntity.RecordDetections(
        42, NOW.minusSeconds(1), "gpu", CAR, replyTo));
    var event = result.eventOfType(CameraEntity.DetectionsRecorded.class);
    assertEquals(42, event.frameSequence());
    assertEquals("gpu", event.provider());
    assertEquals(CAR, result.state().lastDetections());
    assertEquals(1, result.state().counters().detections());
  }

  private CameraEntity.State record(long frameSequence) {
    return kit.<CameraEntity.Reply>runCommand(replyTo -> new CameraEntity.RecordDetections(
        frameSequence, NOW, "gpu", CAR, "frames/cam-17/2026/11/24/10/" + frameSequence + ".jpg", replyTo)).state();
  }

  @Test
  void theStateKeepsTheHighestRecordedFrameSequence() {
    assertEquals(0, register(spec()).state().lastFrameSequence(), "none recorded yet");
    assertEquals(42, record(42).lastFrameSequence());
    assertEquals(42, record(7).lastFrameSequence(), "a lower number does not lower it");
    var ingested = kit.<CameraEntity.Reply>runCommand(replyTo -> new CameraEntity.IngestDetections(
        List.of(new CameraEntity.DetectionGroup(50, NOW, "ext", CAR), new CameraEntity.DetectionGroup(3, NOW, "ext", CAR)),
        replyTo));
    assertEquals(50, ingested.state().lastFrameSequence(), "ingested frames count too");
    assertEquals(51, ingested.state().nextFrameSequence());
  }

  @Test
  void anIngestWriteValidatedBeforeARecentRemovalIsStillTaken() {
    register(spec());
    kit.runCommand(CameraEntity.Remove::new);
    var result = kit.<CameraEntity.Reply>runCommand(replyTo -> new CameraEntity.IngestDetections(
        List.of(new CameraEntity.DetectionGroup(9, NOW, "ext", CAR)), Duration.ofSeconds(10), replyTo));
    assertInstanceOf(CameraEntity.Accepted.class, result.reply());
    assertEquals(1, result.events().size());
    assertEquals(CameraEntity.Status.REMOVED, result.state().status(), "the camera stays removed");
  }

  @Test
  void anIngestWriteForACameraRemovedLongerAgoThanTheGraceIsRefused() {
    MovableClock clock = new MovableClock(NOW);
    var removed = EventSourcedBehaviorTestKit.<CameraEntity.Command, CameraEntity.Event, CameraEntity.State>create(
        testKit.system(), CameraEntity.create("cam-gone", CameraEntity.Dependencies.withoutStreams(new CameraMetrics(registry), clock, 3)));
    removed.<CameraEntity.Reply>runCommand(replyTo -> new CameraEntity.Register(spec(), replyTo));
    removed.runCommand(CameraEntity.Remove::new);
    clock.now = NOW.plusSeconds(11);
    var late = removed.<CameraEntity.Reply>runCommand(replyTo -> new CameraEntity.IngestDetections(
        List.of(new CameraEntity.DetectionGroup(9, NOW, "ext", CAR)), Duration.ofSeconds(10), replyTo));
    assertTrue(late.hasNoEvents());
    assertEquals(CameraEntity.RejectionKind.NOT_FOUND, assertInstanceOf(CameraEntity.Rejected.class, late.reply()).kind());
    clock.now = NOW;
    var noGrace = removed.<CameraEntity.Reply>runCommand(replyTo -> new CameraEntity.IngestDetections(
        List.of(new CameraEntity.DetectionGroup(9, NOW, "ext", CAR)), replyTo));
    assertTrue(noGrace.hasNoEvents(), "without a grace a removed camera takes nothing");
  }

  /** A clock the test moves by hand. */
  private static final class MovableClock extends Clock {
    volatile Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void theHighestFrameSequenceSurvivesASnapshotAndRecovery() {
    register(spec());
    record(44);
    record(7); // the 3rd event: a snapshot holds 44
    record(5);
    var restarted = kit.restart();
    assertEquals(44, restarted.state().lastFrameSequence(), "from the snapshot, not from the newest event");
    assertEquals(kit.getState(), restarted.state());
  }

  @Test
  void aCameraRegisteredAgainKeepsItsFrameSequence() {
    register(spec());
    record(42);
    kit.runCommand(CameraEntity.Remove::new);
    // Evidence frames of the earlier registration may still be stored under this camera id.
    assertEquals(42, register(spec()).state().lastFrameSequence());
  }

  @Test
  void aSnapshotWrittenBeforeTheFrameSequenceExistedLoadsWithZero() throws Exception {
    register(spec());
    CameraEntity.State state = record(42);
    Serialization serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
    Serializer serializer = serialization.findSerializerFor(state);
    String manifest = Serializers.manifestFor(serializer, state);
    ObjectMapper cbor = JacksonObjectMapperProvider.get(Adapter.toClassic(testKit.system()))
        .getOrCreate("jackson-cbor", Optional.of(new CBORFactory()));
    ObjectNode old = (ObjectNode) cbor.readTree(serialization.serialize(state).get());
    assertTrue(old.has("lastFrameSequence"), old.toString());
    old.remove("lastFrameSequence");

    var loaded = (CameraEntity.State) serialization.deserialize(cbor.writeValueAsBytes(old), serializer.identifier(), manifest).get();
    assertEquals(0, loaded.lastFrameSequence());
    assertEquals(state.counters(), loaded.counters());
  }

  /** Serialized with the fields {@code removed} taken out, as an older release wrote it, and read back. */
  private static <T> T asWrittenWithout(T value, String... removed) throws Exception {
    Serialization serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
    Serializer serializer = serialization.findSerializerFor(value);
    String manifest = Serializers.manifestFor(serializer, value);
    ObjectMapper cbor = JacksonObjectMapperProvider.get(Adapter.toClassic(testKit.system()))
        .getOrCreate("jackson-cbor", Optional.of(new CBORFactory()));
    ObjectNode old = (ObjectNode) cbor.readTree(serialization.serialize(value).get());
    ObjectNode target = old.has("counters") ? (ObjectNode) old.get("counters") : old;
    for (String field : removed) {
      assertTrue(target.has(field), field + " in " + old);
      target.remove(field);
    }
    @SuppressWarnings("unchecked")
    T loaded = (T) serialization.deserialize(cbor.writeValueAsBytes(old), serializer.identifier(), manifest).get();
    return loaded;
  }

  @Test
  void snapshotsAndStatsEventsWrittenBeforeTheAnalysisCountersExistedLoadWithZero() throws Exception {
    register(spec());
    CameraEntity.State state = record(7);
    CameraEntity.State loaded = asWrittenWithout(state, "framesSkipped", "framesFailed", "analysedFps", "lastAnalysisError");
    assertEquals(state, loaded);

    var stats = new CameraEntity.StreamStatsRecorded("cam-17", 10, 4, 2.0, NOW, NOW, 3, 2, 0.8, "timeout");
    var oldStats = asWrittenWithout(stats, "framesSkipped", "framesFailed", "analysedFps", "lastAnalysisError");
    assertEquals(new CameraEntity.StreamStatsRecorded("cam-17", 10, 4, 2.0, NOW, NOW, 0, 0, 0.0, null), oldStats);
  }

  @Test
  void recordedStreamStatsAddUpAnsweredSkippedAndFailedFrames() {
    register(spec());
    CameraEntity.State state = kit.getState();
    CameraEntity.State after = state
        .withStats(new CameraEntity.StreamStatsRecorded("cam-17", 10, 4, 2.0, NOW, NOW, 3, 2, 0.8, "IllegalStateException: down"))
        .withStats(new CameraEntity.StreamStatsRecorded("cam-17", 5, 5, 1.0, NOW, NOW, 0, 0, 1.0, null));
    assertEquals(new CameraCounters(15, 9, 0, 3, 2, 1.0, "IllegalStateException: down"), after.counters());
  }

  @Test
  void aStreamThatStopsUnexpectedlyIsStartedAgainAndTheCameraShowsTheLoss() {
    AtomicInteger started = new AtomicInteger();
    // The first stream dies at once (as a supervisor that threw); the second one stays.
    StreamRunner runner = new StreamRunner() {
      @Override
      public Behavior<?> stream(String cameraId, CameraConfig config, FrameSequence frames, ActorRef<CameraEntity.Command> camera) {
        return started.incrementAndGet() == 1 ? Behaviors.stopped() : Behaviors.empty();
      }

      @Override
      public Duration statsPersistInterval() {
        return Duration.ofSeconds(30);
      }

      @Override
      public Duration respawnDelay() {
        return Duration.ofMillis(100);
      }
    };
    var streaming = EventSourcedBehaviorTestKit.<CameraEntity.Command, CameraEntity.Event, CameraEntity.State>create(
        testKit.system(), CameraEntity.create("cam-respawn", CameraEntity.Dependencies
            .withoutStreams(new CameraMetrics(registry), Clock.systemUTC(), 100).withStreams(runner)));
    streaming.<CameraEntity.Reply>runCommand(replyTo -> new CameraEntity.Register(
        new CameraSpec("Gate", "rtsp://10.0.0.7/s", "rtsp", 1.0, null, List.of(), true), replyTo));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (started.get() < 2) {
      assertTrue(System.nanoTime() < deadline, "the stream was not started again");
      MediaTools.sleep(20);
    }
    StreamHealth health = streaming.getState().health();
    assertEquals(StreamHealth.LOST, health.state());
    assertEquals("stream stopped unexpectedly", health.lastError());
    streaming.<CameraEntity.Reply>runCommand(CameraEntity.Disable::new);
    assertEquals(2, started.get(), "a stream stopped on purpose is not started again");
  }

  @Test
  void recordDetectionsForAnUnknownCameraOrWithoutDetectionsIsRejected() {
    assertEquals(CameraEntity.RejectionKind.NOT_FOUND,
        rejected(kit.runCommand(replyTo -> new CameraEntity.RecordDetections(1, NOW, "gpu", CAR, replyTo))).kind());
    register(spec());
    assertEquals("detections",
        rejected(kit.runCommand(replyTo -> new CameraEntity.RecordDetections(1, NOW, "gpu", List.of(), replyTo))).field());
  }
}
