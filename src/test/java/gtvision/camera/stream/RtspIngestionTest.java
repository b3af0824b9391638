package gtvision.camera.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import gtvision.testsupport.CameraApi;
import gtvision.testsupport.IngestTestConfig;
import gtvision.testsupport.MediaTools.RtspServer;
import gtvision.testsupport.MediaTools;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestNodes;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RTSP cameras against a real RTSP server (GStreamer) playing an H.264 video that ffmpeg built from the test photos. */
class RtspIngestionTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  /** read-timeout of {@link IngestTestConfig#fast()}. */
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(2);
  @TempDir static Path dataDir;
  private static TestNodes.Node node;
  private static CameraApi api;
  private static Path video;

  @BeforeAll
  static void start() {
    // 10 fps with a keyframe every 10 frames (1 s GOP): at 1 fps the camera decodes keyframes only.
    video = MediaTools.video("kite.jpg", 640, 360, 10, 10, 120);
    MediaTools.python();
    node = TestNodes.start(TestDatabases.preferPostgres("rtsp", dataDir), IngestTestConfig.fast());
    api = new CameraApi(node);
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  private static String lastFrameAt(JsonNode c) {
    return c.path("health").path("lastFrameAt").asText();
  }

  @Test
  void rtspCameraDeliversFramesAndShowsConnected() {
    try (RtspServer server = RtspServer.start(video, TestNodes.freePort())) {
      api.register("rtsp-1", "rtsp", server.url().replace("rtsp://", "rtsp://viewer:pw@"), 1.0);
      api.awaitState("rtsp-1", "connected", WAIT);
      // FFmpeg delivers the frames it buffered while probing the stream in one burst: wait for steady state.
      JsonNode c = api.await("rtsp-1", WAIT, s -> s.path("counters").path("framesSeen").asLong() >= 20
          && s.path("health").path("measuredFps").asDouble() > 6 && s.path("health").path("measuredFps").asDouble() < 14,
          "about 10 fps measured");
      assertTrue(c.path("sourceUrl").asText().contains("viewer:***@"));
      double sampled = api.awaitMetric("gtv_frames_sampled_total", "camera=\"rtsp-1\"", 3, WAIT);
      double received = api.metric("gtv_frames_received_total", "camera=\"rtsp-1\"");
      assertTrue(sampled < received / 4, "1 of 10 frames sampled: " + sampled + " of " + received);
      api.post("/api/cameras/rtsp-1/disable");
    }
  }

  @Test
  void reconnectsAfterCameraDropsStream() {
    int port = TestNodes.freePort();
    RtspServer server = RtspServer.start(video, port);
    try {
      api.register("rtsp-drop", "rtsp", server.url(), 1.0);
      api.await("rtsp-drop", WAIT, c -> !lastFrameAt(c).isEmpty() && !"null".equals(lastFrameAt(c)), "a first frame");
      long killedAt = System.nanoTime();
      server.stop();
      JsonNode lost = api.awaitState("rtsp-drop", "lost", WAIT);
      Duration detection = Duration.ofNanos(System.nanoTime() - killedAt);
      assertTrue(detection.compareTo(READ_TIMEOUT.plusSeconds(1)) <= 0, "lost after " + detection.toMillis() + " ms: " + lost);
      assertTrue(!lost.path("health").path("lastError").asText().isBlank());

      server = RtspServer.start(video, port);
      JsonNode back = api.await("rtsp-drop", WAIT,
          c -> "connected".equals(c.path("health").path("state").asText()) && c.path("health").path("reconnects").asLong() >= 1,
          "connected again");
      assertEquals(1, back.path("health").path("reconnects").asLong());
      assertTrue(api.metric("gtv_camera_reconnects_total", "camera=\"rtsp-drop\"") >= 1);
      api.post("/api/cameras/rtsp-drop/disable");
    } finally {
      server.stop();
    }
  }

  @Test
  void twentyDropsLeaveNoThreadsFileHandlesOrNativeMemoryBehind() {
    int port = TestNodes.freePort();
    api.register("rtsp-cycles", "rtsp", "rtsp://127.0.0.1:" + port + "/stream", 1.0);
    for (int i = 0; i < 3; i++) dropCycle(port); // warm-up: pools, codecs and caches reach their steady size
    Usage base = Usage.now();
    for (int i = 0; i < 10; i++) dropCycle(port);
    Usage mid = Usage.now();
    for (int i = 0; i < 10; i++) dropCycle(port);
    Usage end = Usage.now();
    String report = "after warm-up " + base + "; after 10 cycles " + mid + "; after 20 cycles " + end;
    System.out.println("RTSP drop cycles: " + report);
    // Pool threads come and go with load from other tests: a leak is growth that goes on (20 cycles).
    assertTrue(end.javaThreads() <= base.javaThreads() + 12
        && end.javaThreads() <= Math.max(base.javaThreads(), mid.javaThreads()) + 6, report);
    // The JVM adds JIT and GC threads on demand and idle pool threads come and go: a leak (one thread
    // per cycle) shows as growth that goes on over 20 cycles, not as a step of a few threads.
    assertTrue(end.osThreads() <= base.osThreads() + 12
        && end.osThreads() <= Math.max(base.osThreads(), mid.osThreads()) + 6, report);
    // Class loading, JDBC pools and sockets of other actors open a few descriptors as the run goes
    // on; a leak (one per cycle or every other cycle) is growth of ten or more over 20 cycles.
    assertTrue(end.fds() <= base.fds() + 8 && end.fds() <= Math.max(base.fds(), mid.fds()) + 5, report);
    assertTrue(end.javacppBytes() <= base.javacppBytes() + (4 << 20), report);
    assertTrue(end.rss() <= base.rss() + (96L << 20) && end.rss() <= mid.rss() + (48L << 20), report);
    api.post("/api/cameras/rtsp-cycles/disable");
  }

  /** Server up, camera streams a new frame, server killed, camera shows it lost. */
  private static void dropCycle(int port) {
    String before = lastFrameAt(api.get("rtsp-cycles"));
    try (RtspServer server = RtspServer.start(video, port)) {
      api.await("rtsp-cycles", WAIT, c -> "connected".equals(c.path("health").path("state").asText())
          && !lastFrameAt(c).equals(before) && !"null".equals(lastFrameAt(c)), "streaming again");
    }
    api.awaitState("rtsp-cycles", "lost", WAIT);
  }

  private record Usage(long javaThreads, long osThreads, long fds, long javacppBytes, long rss) {
    static Usage now() {
      System.gc();
      MediaTools.sleep(300);
      return new Usage(ManagementFactory.getThreadMXBean().getThreadCount(), count("/proc/self/task"),
          count("/proc/self/fd"), Pointer.totalBytes(), Pointer.physicalBytes());
    }

    @Override
    public String toString() {
      return "java threads %d, OS threads %d, fds %d, JavaCPP bytes %d, RSS %d MiB".formatted(
          javaThreads, osThreads, fds, javacppBytes, rss >> 20);
    }
  }

  private static long count(String dir) {
    try (Stream<Path> entries = Files.list(Path.of(dir))) {
      return entries.count();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
