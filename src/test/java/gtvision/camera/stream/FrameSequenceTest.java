package gtvision.camera.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import gtvision.camera.CameraConfig;
import gtvision.camera.CameraEntity;
import gtvision.camera.CameraMetrics;
import gtvision.camera.CameraSpec;
import gtvision.camera.FrameSequence;
import gtvision.camera.RecordedDetection;
import gtvision.camera.SourceKind;
import gtvision.testsupport.IngestTestConfig;
import gtvision.testsupport.MediaTools;
import gtvision.testsupport.TestCameraServer;
import gtvision.testsupport.TestImages;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Frame numbers name evidence files, so a camera never hands one out twice: not after a reconnect, not
 * after its stream is replaced, and after a restart only numbers above the highest recorded one.
 */
class FrameSequenceTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final List<RecordedDetection> CAR = List.of(new RecordedDetection("car", 0.9, List.of(1.0, 2.0, 30.0, 40.0), null, null));
  private static final ActorTestKit testKit = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config()
          .withFallback(IngestTestConfig.fast())
          .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
          .withFallback(ConfigFactory.parseResources("serialization.conf"))
          .withFallback(ConfigFactory.load()));
  private static TestCameraServer camera;

  @BeforeAll
  static void start() throws Exception {
    camera = new TestCameraServer(TestImages.panning("kite.jpg", 640, 360, 12), 10, MediaTools.mediaDir());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
    if (camera != null) camera.close();
  }

  /** Finds a car in the frames {@code withCar} accepts and remembers the number of every frame it was given. */
  private static Streams ingest(Queue<Long> analysed, Predicate<Frame> withCar) {
    FrameAnalyser analyser = (frame, config) -> {
      analysed.add(frame.sequence());
      return CompletableFuture.completedFuture(new FrameAnalyser.Analysis("test", withCar.test(frame) ? CAR : List.of()));
    };
    return new Streams(StreamSettings.from(testKit.system().settings().config()),
        new StreamMetrics(new SimpleMeterRegistry()), analyser, LatestFrames.from(testKit.system().settings().config()));
  }

  private static CameraConfig mjpeg(String id, String path) {
    return new CameraConfig(id, camera.url(path), SourceKind.MJPEG, 30.0, null, List.of());
  }

  @Test
  void numbersNeverGoBack() {
    FrameSequence sequence = new FrameSequence(5);
    assertEquals(5, sequence.next());
    sequence.skipTo(3);
    assertEquals(6, sequence.next(), "numbers already handed out stay taken");
    sequence.skipTo(10);
    assertEquals(10, sequence.next());
  }

  @Test
  void framesAreNumberedOnAcrossReconnects() {
    // The camera ends its stream after three frames: every connection is a new reader.
    TestProbe<CameraEntity.Command> entity = testKit.createTestProbe();
    Queue<Long> analysed = new ConcurrentLinkedQueue<>();
    ActorRef<CameraStreamSupervisor.Message> supervisor = testKit.spawn(CameraStreamSupervisor.create(
        "seq-reconnect", mjpeg("seq-reconnect", "/mjpeg-short"), ingest(analysed, frame -> true), new FrameSequence(41), entity.ref()));
    try {
      List<List<Long>> runs = recordedPerRun(entity, 3);
      List<Long> all = runs.stream().flatMap(List::stream).toList();
      assertEquals(41L, all.get(0), "numbering starts where the entity said");
      for (int i = 1; i < all.size(); i++) {
        assertTrue(all.get(i) > all.get(i - 1), "increasing across reconnects: " + runs);
      }
    } finally {
      testKit.stop(supervisor);
    }
  }

  /** The numbers of recorded frames, per run of the stream, until {@code count} runs recorded some. */
  private static List<List<Long>> recordedPerRun(TestProbe<CameraEntity.Command> entity, int count) {
    List<List<Long>> runs = new ArrayList<>(List.of(new ArrayList<>()));
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (runs.stream().filter(r -> !r.isEmpty()).count() < count) {
      assertTrue(System.nanoTime() < deadline, "no " + count + " runs with frames within " + WAIT + ": " + runs);
      CameraEntity.Command message = entity.receiveMessage(WAIT);
      if (message instanceof CameraEntity.ReportFrameAnalysed r) runs.get(runs.size() - 1).add(r.frameSequence());
      // A run's detections are sent before the run ends, so before its loss is reported.
      if (message instanceof CameraEntity.ReportStreamLost) runs.add(new ArrayList<>());
    }
    return runs;
  }

  @Test
  void aReplacedStreamGoesOnCountingAndARestartedCameraStartsAfterItsLastRecordedFrame() {
    Queue<Long> analysed = new ConcurrentLinkedQueue<>();
    // Cars in every third frame only: the others take numbers that are never recorded.
    var kit = EventSourcedBehaviorTestKit.<CameraEntity.Command, CameraEntity.Event, CameraEntity.State>create(
        testKit.system(),
        CameraEntity.create("seq-restart", CameraEntity.Dependencies
            .withoutStreams(new CameraMetrics(new SimpleMeterRegistry()), Clock.systemUTC(), 5)
            .withStreams(ingest(analysed, frame -> frame.sequence() % 3 == 0))));
    String persistenceId = "Camera|seq-restart";
    kit.<CameraEntity.Reply>runCommand(replyTo -> new CameraEntity.Register(snapshotCamera(10.0, true), replyTo));
    awaitRecorded(kit, persistenceId, 2);

    // A configuration change replaces the stream while it has numbered frames beyond the last recorded one.
    await(() -> Collections.max(analysed) > Collections.max(recorded(kit, persistenceId)), "an unrecorded frame");
    kit.<CameraEntity.Reply>runCommand(replyTo -> new CameraEntity.Update(snapshotCamera(8.0, null), replyTo));
    awaitRecorded(kit, persistenceId, recorded(kit, persistenceId).size() + 2);
    List<Long> numbered = new ArrayList<>(analysed);
    assertEquals(numbered.size(), new HashSet<>(numbered).size(), "no number handed out twice: " + numbered);

    // Recovery replays every recorded frame of the stopped incarnation, then the new one streams.
    CameraEntity.State recovered = kit.restart().state();
    long lastRecorded = recovered.lastFrameSequence();
    int recordedBefore = (int) recovered.counters().detections();
    awaitRecorded(kit, persistenceId, recordedBefore + 2);
    List<Long> all = recorded(kit, persistenceId);
    assertEquals(lastRecorded, Collections.max(all.subList(0, recordedBefore)), "the state holds the highest recorded number");
    List<Long> after = all.subList(recordedBefore, all.size());
    assertTrue(after.stream().allMatch(n -> n > lastRecorded), "after a restart only numbers above " + lastRecorded + ": " + all);
    kit.<CameraEntity.Reply>runCommand(CameraEntity.Disable::new);
  }

  private static CameraSpec snapshotCamera(double fps, Boolean enabled) {
    return new CameraSpec("Seq", camera.url("/snapshot.jpg"), "snapshot", fps, null, List.of(), enabled);
  }

  /** The frame numbers of the recorded detections, in the order they were persisted. */
  private static List<Long> recorded(
      EventSourcedBehaviorTestKit<CameraEntity.Command, CameraEntity.Event, CameraEntity.State> kit, String persistenceId) {
    return kit.persistenceTestKit().persistedInStorage(persistenceId).stream()
        .filter(e -> e instanceof CameraEntity.DetectionsRecorded)
        .map(e -> ((CameraEntity.DetectionsRecorded) e).frameSequence())
        .toList();
  }

  private static void awaitRecorded(
      EventSourcedBehaviorTestKit<CameraEntity.Command, CameraEntity.Event, CameraEntity.State> kit, String persistenceId,
      int count) {
    await(() -> recorded(kit, persistenceId).size() >= count, count + " frames recorded");
  }

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "not within " + WAIT + ": " + what);
      MediaTools.sleep(50);
    }
  }
}
