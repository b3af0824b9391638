package gtvision.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import gtvision.testsupport.CameraApi;
import gtvision.testsupport.IngestTestConfig;
import gtvision.testsupport.MediaTools;
import gtvision.testsupport.MediaTools.RtspServer;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestNodes;
import java.io.IOException;
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
    System.gc();
    long threads = count("/proc/self/task");
    long files = count("/proc/self/fd");
    long nativeBytes = Pointer.totalBytes();
    long physical = Pointer.physicalBytes();

    for (int i = 0; i < 20; i++) dropCycle(port);

    System.gc();
    MediaTools.sleep(500);
    long threadsAfter = count("/proc/self/task");
    long filesAfter = count("/proc/self/fd");
    long nativeAfter = Pointer.totalBytes();
    long physicalAfter = Pointer.physicalBytes();
    Thread.getAllStackTraces().keySet().stream()
        .collect(java.util.stream.Collectors.groupingBy(t -> t.getName().replaceAll("[0-9]+", "#"), java.util.stream.Collectors.counting()))
        .forEach((name, n) -> System.out.println("  thread " + name + " x" + n));
    String report = "threads %d -> %d, fds %d -> %d, JavaCPP bytes %d -> %d, RSS %d MB -> %d MB".formatted(
        threads, threadsAfter, files, filesAfter, nativeBytes, nativeAfter, physical >> 20, physicalAfter >> 20);
    System.out.println("20 RTSP drop cycles: " + report);
    assertTrue(threadsAfter <= threads + 4, report);
    assertTrue(filesAfter <= files + 4, report);
    assertTrue(nativeAfter <= nativeBytes + (4 << 20), report);
    assertTrue(physicalAfter <= physical + (96L << 20), report);
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

  private static long count(String dir) {
    try (Stream<Path> entries = Files.list(Path.of(dir))) {
      return entries.count();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
