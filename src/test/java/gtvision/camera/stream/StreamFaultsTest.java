package gtvision.camera.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import gtvision.camera.CameraEntity;
import gtvision.camera.CameraMetrics;
import gtvision.camera.CameraSpec;
import gtvision.camera.RecordedDetection;
import gtvision.camera.StreamHealth;
import gtvision.testsupport.IngestTestConfig;
import gtvision.testsupport.MediaTools;
import gtvision.testsupport.TestImages;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a camera shows and does when things go wrong around its stream: its entity fails to persist, the
 * camera stops sending frames on an open connection, the analyser is busy or fails, frames are too large.
 * Entities run on the persistence test kit's journal (which can be told to fail) with real streams from a
 * real HTTP camera.
 */
class StreamFaultsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final List<RecordedDetection> CAR =
      List.of(new RecordedDetection("car", 0.9, List.of(1.0, 2.0, 30.0, 40.0), null, null));
  private static final ActorTestKit testKit = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config()
          .withFallback(IngestTestConfig.fast())
          .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
          .withFallback(ConfigFactory.parseResources("serialization.conf"))
          .withFallback(ConfigFactory.load()));
  private static StallingCamera camera;

  @BeforeAll
  static void start() throws IOException {
    camera = new StallingCamera(TestImages.panning("kite.jpg", 640, 360, 12));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
    if (camera != null) camera.close();
  }

  /**
   * A snapshot camera at {@code /snapshot.jpg}. While {@link #stall} is set, it answers 200 and then
   * trickles one byte every 200 ms without ever finishing the picture: the connection is busy, no read
   * times out, and no frame comes.
   */
  static final class StallingCamera implements AutoCloseable {
    final AtomicBoolean stall = new AtomicBoolean();
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<byte[]> frames;
    private final AtomicLong served = new AtomicLong();

    StallingCamera(List<byte[]> frames) throws IOException {
      this.frames = frames;
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.setExecutor(threads);
      server.createContext("/snapshot.jpg", this::snapshot);
      server.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/snapshot.jpg";
    }

    private void snapshot(HttpExchange ex) throws IOException {
      try (ex; OutputStream out = ex.getResponseBody()) {
        ex.getResponseHeaders().set("Content-Type", "image/jpeg");
        if (!stall.get()) {
          byte[] frame = frames.get((int) (served.getAndIncrement() % frames.size()));
          ex.sendResponseHeaders(200, frame.length);
          out.write(frame);
          return;
        }
        ex.sendResponseHeaders(200, 0);
        out.write(new byte[] {(byte) 0xFF, (byte) 0xD8});
        while (stall.get()) {
          out.flush();
          MediaTools.sleep(200);
          out.write(0);
        }
      } catch (IOException e) {
        // The client gave up on the stalled picture: nothing more to send.
      }
    }

    @Override
    public void close() {
      stall.set(false);
      server.stop(0);
      threads.shutdownNow();
    }
  }

  /** Streams with {@code overrides} on top of the fast test settings, analysing with {@code analyser}. */
  private static Streams streams(String overrides, SimpleMeterRegistry registry, FrameAnalyser analyser) {
    Config config = ConfigFactory.parseString(overrides).withFallback(testKit.system().settings().config());
    return new Streams(StreamSettings.from(config), new StreamMetrics(registry), analyser, LatestFrames.from(config));
  }

  private static ActorRef<CameraEntity.Command> camera(String id, Streams streams, double fps) {
    return camera(id, streams, spec("Gate", fps));
  }

  private static ActorRef<CameraEntity.Command> camera(String id, Streams streams, CameraSpec spec) {
    var deps = CameraEntity.Dependencies
        .withoutStreams(new CameraMetrics(new SimpleMeterRegistry()), Clock.systemUTC(), 100)
        .withStreams(streams);
    ActorRef<CameraEntity.Command> entity = testKit.spawn(CameraEntity.create(id, deps));
    TestProbe<CameraEntity.Reply> probe = testKit.createTestProbe();
    entity.tell(new CameraEntity.Register(spec, probe.getRef()));
    assertInstanceOf(CameraEntity.Accepted.class, probe.receiveMessage(WAIT));
    return entity;
  }

  private static CameraSpec spec(String name, double fps) {
    return new CameraSpec(name, camera.url(), "snapshot", fps, null, List.of(), true);
  }

  private static CameraEntity.State state(ActorRef<CameraEntity.Command> entity) {
    TestProbe<CameraEntity.Reply> probe = testKit.createTestProbe();
    entity.tell(new CameraEntity.GetState(probe.getRef()));
    return assertInstanceOf(CameraEntity.Accepted.class, probe.receiveMessage(WAIT)).state();
  }

  private static CameraEntity.State await(ActorRef<CameraEntity.Command> entity, Predicate<CameraEntity.State> condition,
      String what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      CameraEntity.State s = state(entity);
      if (condition.test(s)) return s;
      assertTrue(System.nanoTime() < deadline, "not within " + WAIT + ": " + what + "; state " + s);
      MediaTools.sleep(50);
    }
  }

  private static void awaitCount(AtomicLong count, long atLeast, String what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (count.get() < atLeast) {
      assertTrue(System.nanoTime() < deadline, "not within " + WAIT + ": " + what + " (" + count.get() + ")");
      MediaTools.sleep(50);
    }
  }

  @Test
  void aCameraWhoseEntityFailsToPersistKeepsDeliveringFrames() {
    AtomicLong analysed = new AtomicLong();
    // Stats are persisted rarely here: after the first frames only the update below writes to the journal.
    Streams streams = streams("gtv.camera.stream.stats-persist-interval = 1h", new SimpleMeterRegistry(),
        (frame, config) -> {
          analysed.incrementAndGet();
          return CompletableFuture.completedFuture(FrameAnalyser.Analysis.nothing("test"));
        });
    ActorRef<CameraEntity.Command> entity = camera("persist-fails", streams, 10.0);
    await(entity, s -> StreamHealth.CONNECTED.equals(s.health().state()) && s.health().lastFrameAt() != null, "connected");
    awaitCount(analysed, 5, "frames before the failure");

    // The journal refuses the next write: the entity restarts (with backoff), which stops its children.
    PersistenceTestKit.create(testKit.system()).failNextPersisted();
    TestProbe<CameraEntity.Reply> probe = testKit.createTestProbe();
    entity.tell(new CameraEntity.Update(spec("Gate renamed", 10.0), probe.getRef()));
    probe.expectNoMessage(Duration.ofMillis(500));
    long afterFailure = analysed.get();

    awaitCount(analysed, afterFailure + 10, "frames after the entity restarted");
    CameraEntity.State s = await(entity, st -> StreamHealth.CONNECTED.equals(st.health().state()), "connected again");
    assertEquals("Gate", s.config().name(), "the failed update was not applied");
  }

  @Test
  void aCameraThatStopsSendingFramesIsStalledThenReconnected() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Streams streams = streams("", registry, new CountingAnalyser());
    ActorRef<CameraEntity.Command> entity = camera("stalling", streams, 5.0);
    await(entity, s -> StreamHealth.CONNECTED.equals(s.health().state()) && s.counters().framesSeen() >= 3, "frames flow");
    try {
      camera.stall.set(true);
      // 3 sample intervals (0.6 s) plus the read timeout (2 s) without a frame: stalled, never connected.
      CameraEntity.State stalled = await(entity, s -> StreamHealth.STALLED.equals(s.health().state()), "stalled");
      assertEquals(0.0, stalled.health().measuredFps());
      // A read timeout later the supervisor gives up on the connection.
      CameraEntity.State lost = await(entity, s -> StreamHealth.LOST.equals(s.health().state()), "restarted");
      assertTrue(lost.health().lastError().startsWith("stalled"), lost.health().lastError());
    } finally {
      camera.stall.set(false);
    }
    CameraEntity.State back = await(entity,
        s -> StreamHealth.CONNECTED.equals(s.health().state()) && s.health().reconnects() >= 1, "reconnected");
    assertEquals(1.0, registry.get("gtv.camera.reconnects").tag("camera", "stalling").counter().count(), 0.5);
    assertTrue(back.health().reconnects() >= 1);
  }

  @Test
  void reconnectAttemptsKeepAStreamLostInTheMetricsUntilItConnectsAgain() throws IOException {
    // A camera that takes connections but, while silent, never answers: every attempt waits a read timeout.
    AtomicBoolean silent = new AtomicBoolean(true);
    AtomicLong attempts = new AtomicLong();
    List<byte[]> frames = TestImages.panning("kite.jpg", 640, 360, 4);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    ExecutorService threads = Executors.newCachedThreadPool();
    server.setExecutor(threads);
    server.createContext("/snapshot.jpg", ex -> {
      attempts.incrementAndGet();
      try (ex; OutputStream out = ex.getResponseBody()) {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (silent.get() && System.nanoTime() < until) MediaTools.sleep(50);
        byte[] frame = frames.get((int) (attempts.get() % frames.size()));
        ex.getResponseHeaders().set("Content-Type", "image/jpeg");
        ex.sendResponseHeaders(200, frame.length);
        out.write(frame);
      } catch (IOException e) {
        // The client timed out on the silent camera: nothing more to send.
      }
    });
    server.start();
    try {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/snapshot.jpg";
      camera("silent", streams("", registry, new CountingAnalyser()),
          new CameraSpec("Silent", url, "snapshot", 2.0, null, List.of(), true));
      awaitGauge(registry, StreamMetrics.LOST, 1);
      long firstLoss = attempts.get();
      // Two more attempts, each about a read timeout (2 s) long: the stream is never "connecting" meanwhile,
      // or CameraStreamLost's two minutes of "lost" would start again with every attempt.
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (attempts.get() < firstLoss + 2) {
        assertEquals(1.0, gauge(registry, StreamMetrics.LOST), "lost during attempt " + attempts.get());
        assertEquals(0.0, gauge(registry, StreamMetrics.CONNECTING), "not connecting during attempt " + attempts.get());
        assertTrue(System.nanoTime() < deadline, "no reconnect attempts within " + WAIT);
        MediaTools.sleep(50);
      }
      silent.set(false);
      awaitGauge(registry, StreamMetrics.CONNECTED, 1);
      assertEquals(0.0, gauge(registry, StreamMetrics.LOST));
    } finally {
      silent.set(false);
      server.stop(0);
      threads.shutdownNow();
    }
  }

  private static double gauge(SimpleMeterRegistry registry, String state) {
    return registry.get("gtv.camera.streams").tag("state", state).gauge().value();
  }

  private static void awaitGauge(SimpleMeterRegistry registry, String state, double value) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (gauge(registry, state) != value) {
      assertTrue(System.nanoTime() < deadline, "gtv_camera_streams{state=" + state + "} not " + value + " within " + WAIT);
      MediaTools.sleep(50);
    }
  }

  @Test
  void framesTheAnalyserAnsweredSkippedOrFailedAreCountedApart() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AtomicLong calls = new AtomicLong();
    // In turn: answered (with a car), skipped because the detectors are busy, failed.
    FrameAnalyser analyser = (frame, config) -> switch ((int) (calls.getAndIncrement() % 3)) {
      case 0 -> CompletableFuture.completedFuture(new FrameAnalyser.Analysis("test", CAR));
      case 1 -> CompletableFuture.failedFuture(new FrameSkippedException("detectors busy"));
      default -> CompletableFuture.failedFuture(new TimeoutException("no detector answered within 30 s"));
    };
    ActorRef<CameraEntity.Command> entity = camera("counted", streams("", registry, analyser), 10.0);
    CameraEntity.State s = await(entity, st -> st.counters().framesFailed() >= 3 && st.counters().analysedFps() > 0,
        "answered, skipped and failed frames");
    var c = s.counters();
    assertTrue(c.framesAnalysed() >= 3 && c.framesSkipped() >= 2, c.toString());
    assertTrue(Math.abs(c.framesAnalysed() - c.framesSkipped()) <= 2 && Math.abs(c.framesSkipped() - c.framesFailed()) <= 2,
        "each a third: " + c);
    assertEquals("TimeoutException: no detector answered within 30 s", c.lastAnalysisError());
    assertTrue(c.analysedFps() < 10.0, "answered frames only: " + c);
    assertTrue(c.framesSeen() >= c.framesAnalysed() + c.framesSkipped() + c.framesFailed() - 1, c.toString());

    assertTrue(registry.get("gtv.frames.analysed").tag("camera", "counted").counter().count() >= 3);
    assertTrue(registry.get("gtv.frames.skipped.busy").tag("camera", "counted").counter().count() >= 2);
    assertTrue(registry.get("gtv.frames.failed").tag("camera", "counted").tag("reason", "TimeoutException")
        .counter().count() >= 3);

    // The counts are persisted with the stats events (every second here), not per frame.
    awaitStored("counted", e -> e.framesSkipped() > 0 && e.framesFailed() > 0 && e.lastAnalysisError() != null);
    var stored = PersistenceTestKit.create(testKit.system()).persistedInStorage("Camera|counted").stream()
        .filter(e -> e instanceof CameraEntity.StreamStatsRecorded)
        .map(CameraEntity.StreamStatsRecorded.class::cast)
        .toList();
    assertTrue(stored.size() < c.framesSeen(), "fewer stats events than frames: " + stored.size());
  }

  private static void awaitStored(String id, Predicate<CameraEntity.StreamStatsRecorded> condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (PersistenceTestKit.create(testKit.system()).persistedInStorage("Camera|" + id).stream()
        .noneMatch(e -> e instanceof CameraEntity.StreamStatsRecorded r && condition.test(r))) {
      assertTrue(System.nanoTime() < deadline, "no such stats event within " + WAIT);
      MediaTools.sleep(100);
    }
  }

  @Test
  void framesAboveThePixelCapAreRefusedBeforeAnalysisWithTheReasonInTheState() {
    CountingAnalyser analyser = new CountingAnalyser();
    // 640x360 = 230400 pixels, above a cap of 200000.
    ActorRef<CameraEntity.Command> entity = camera("too-large",
        streams("gtv.camera.stream.max-frame-pixels = 200000", new SimpleMeterRegistry(), analyser), 5.0);
    CameraEntity.State s = await(entity, st -> st.health().lastError() != null, "the reason in the state");
    assertEquals(StreamHealth.LOST, s.health().state());
    assertTrue(s.health().lastError().contains("640x360 (230400 pixels) is larger than the limit of 200000 pixels"),
        s.health().lastError());
    assertEquals(0, analyser.frames(), "no detector time");
  }
}
