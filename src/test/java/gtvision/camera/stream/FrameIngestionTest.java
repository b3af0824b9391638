package gtvision.camera.stream;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import gtvision.testsupport.CameraApi;
import gtvision.testsupport.IngestTestConfig;
import gtvision.testsupport.MediaTools;
import gtvision.testsupport.TestCameraServer;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestImages;
import gtvision.testsupport.TestNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** HTTP cameras (snapshot, MJPEG, HLS) and file cameras against a running node and a real HTTP camera server. */
class FrameIngestionTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @TempDir static Path dataDir;
  private static TestNodes.Node node;
  private static TestCameraServer camera;
  private static CameraApi api;

  @BeforeAll
  static void start() throws Exception {
    List<byte[]> frames = TestImages.panning("kite.jpg", 1280, 720, 12);
    camera = new TestCameraServer(frames, 10, MediaTools.mediaDir());
    // Cameras named "no-provider-*" get an analyser that always fails, as with no inference provider reachable.
    CountingAnalyser counting = new CountingAnalyser();
    FrameAnalyser analyser = (frame, config) -> frame.cameraId().startsWith("no-provider")
        ? CompletableFuture.failedFuture(new IllegalStateException("no inference provider reachable"))
        : counting.analyse(frame, config);
    // Some cameras here play local files: the file source kind is off unless switched on.
    Config files = ConfigFactory.parseString("gtv.camera.allow-file-sources = on");
    node = TestNodes.start(TestDatabases.preferPostgres("ingest", dataDir), files.withFallback(IngestTestConfig.fast()),
        system -> analyser);
    api = new CameraApi(node);
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
    if (camera != null) camera.close();
  }

  private static long framesSeen(JsonNode c) {
    return c.path("counters").path("framesSeen").asLong();
  }

  @Test
  void snapshotCameraDeliversFramesAndShowsConnected() {
    api.register("snap-1", "snapshot", camera.url("/snapshot.jpg"), 4.0);
    JsonNode c = api.awaitState("snap-1", "connected", WAIT);
    c = api.await("snap-1", WAIT, s -> framesSeen(s) >= 8 && !s.path("health").path("lastFrameAt").isNull(), "8 frames seen");
    assertTrue(c.path("health").path("measuredFps").asDouble() > 1.0, c.toString());
    assertTrue(api.metric("gtv_frames_received_total", "camera=\"snap-1\"") >= 8);
    assertTrue(api.metric("gtv_frames_sampled_total", "camera=\"snap-1\"") >= 8);
    // The picture pans: every frame has motion and goes to the analyser.
    assertTrue(api.metric("gtv_frames_analysed_total", "camera=\"snap-1\"") >= 6);
    assertTrue(api.metric("gtv_camera_streams", "state=\"connected\"") >= 1);
    assertTrue(api.metrics().contains("gtv_frame_decode_seconds_bucket"));
  }

  @Test
  void digestAndBasicProtectedSnapshotsAreFetchedWithTheUrlCredentials() {
    api.register("snap-digest", "snapshot", camera.url(TestCameraServer.USER, TestCameraServer.PASSWORD, "/digest/snapshot.jpg"), 2.0);
    api.register("snap-basic", "snapshot", camera.url(TestCameraServer.USER, TestCameraServer.PASSWORD, "/basic/snapshot.jpg"), 2.0);
    api.await("snap-digest", WAIT, c -> framesSeen(c) >= 3, "frames through Digest auth");
    api.await("snap-basic", WAIT, c -> framesSeen(c) >= 3, "frames through Basic auth");
  }

  @Test
  void wrongCredentialsShowA401WithThePasswordMasked() {
    api.register("snap-401", "snapshot", camera.url("admin", "wrong-pw", "/digest/snapshot.jpg"), 1.0);
    JsonNode c = api.awaitState("snap-401", "lost", WAIT);
    String error = c.path("health").path("lastError").asText();
    assertTrue(error.contains("401"), error);
    assertFalse(c.toString().contains("wrong-pw"), "password never shown: " + c);
    assertTrue(c.path("sourceUrl").asText().contains("admin:***@"));
  }

  @Test
  void badSourcesShowClearErrorsWhileOtherCamerasKeepRunning() throws Exception {
    api.register("good-1", "snapshot", camera.url("/snapshot.jpg"), 2.0);
    api.awaitState("good-1", "connected", WAIT);

    Path corrupt = dataDir.resolve("corrupt.mp4");
    byte[] video = Files.readAllBytes(MediaTools.video("dog.jpg", 320, 240, 10, 10, 4));
    byte[] broken = Arrays.copyOf(video, video.length / 3);
    for (int i = 4096; i < broken.length; i += 7) broken[i] = (byte) (broken[i] ^ 0x5A);
    Files.write(corrupt, broken);
    Path garbage = dataDir.resolve("garbage.h264");
    Files.write(garbage, new byte[] {0, 0, 0, 1, 0x67, 1, 2, 3, 4, 5, 6, 7, 8, 9});

    api.register("bad-unreachable", "snapshot", "http://127.0.0.1:1/snapshot.jpg", 1.0);
    api.register("bad-unknown-host", "rtsp", "rtsp://user:pw@camera.invalid/stream", 1.0);
    api.register("bad-html", "snapshot", camera.url("/html"), 1.0);
    api.register("bad-empty", "snapshot", camera.url("/empty.jpg"), 1.0);
    api.register("bad-huge", "snapshot", camera.url("/huge.jpg"), 1.0);
    api.register("bad-truncated-video", "file", corrupt.toUri().toString(), 1.0);
    api.register("bad-garbage-video", "file", garbage.toUri().toString(), 1.0);
    api.register("bad-mjpeg-is-html", "mjpeg", camera.url("/html"), 1.0);

    assertError("bad-unreachable", "connect");
    assertError("bad-unknown-host", "rtsp://user:***@camera.invalid");
    assertError("bad-html", "not a JPEG (");
    assertError("bad-empty", "empty image (0 bytes)");
    assertError("bad-huge", "larger than the limit");
    assertError("bad-garbage-video", "");
    assertError("bad-mjpeg-is-html", "not an MJPEG stream");
    // A truncated, bit-flipped file may still yield some frames; it must end as lost, never crash.
    api.awaitState("bad-truncated-video", "lost", WAIT);

    long before = framesSeen(api.get("good-1"));
    JsonNode good = api.await("good-1", WAIT, c -> framesSeen(c) >= before + 4, "the good camera keeps running");
    assertEquals("connected", good.path("health").path("state").asText());
  }

  private static void assertError(String id, String expected) {
    JsonNode c = api.awaitState(id, "lost", WAIT);
    String error = c.path("health").path("lastError").asText();
    assertTrue(error.contains(expected), id + ": " + error);
    assertFalse(error.isBlank(), id);
  }

  @Test
  void damagedJpegsAreSkippedAndCountedWithoutAReconnect() {
    // /flaky.jpg: good, no frame header (refused by the fetcher), cut before the scan (refused by the gate's decode).
    api.register("snap-flaky", "snapshot", camera.url("/flaky.jpg"), 5.0);
    api.register("mjpeg-flaky", "mjpeg", camera.url("/mjpeg-flaky"), 2.0);
    api.awaitMetric("gtv_frames_corrupt_total", "camera=\"snap-flaky\"", 6, WAIT);
    api.awaitMetric("gtv_frames_corrupt_total", "camera=\"mjpeg-flaky\"", 3, WAIT);
    api.awaitMetric("gtv_frames_analysed_total", "camera=\"snap-flaky\"", 3, WAIT);
    for (String id : new String[] {"snap-flaky", "mjpeg-flaky"}) {
      JsonNode c = api.await(id, WAIT, s -> s.path("health").path("lastError").asText().startsWith("frame skipped: "),
          "the skipped frame's error shown");
      assertEquals("connected", c.path("health").path("state").asText(), c.toString());
      assertEquals(0, c.path("health").path("reconnects").asLong(), c.toString());
      assertEquals(0.0, api.metric("gtv_camera_reconnects_total", "camera=\"" + id + "\""), id);
      assertTrue(c.path("health").path("lastError").asText().contains("JPEG"), c.toString());
    }
    double analysed = api.metric("gtv_frames_analysed_total", "camera=\"snap-flaky\"");
    api.awaitMetric("gtv_frames_analysed_total", "camera=\"snap-flaky\"", analysed + 2, WAIT);
  }

  @Test
  void anAnalyserThatFailsOnEveryFrameIsLoggedOnceNotPerFrame() {
    Logger streamLog = (Logger) LoggerFactory.getLogger(CameraStream.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    streamLog.addAppender(lines);
    try {
      api.register("no-provider-1", "snapshot", camera.url("/snapshot.jpg"), 5.0);
      api.awaitMetric("gtv_frames_failed_total", "camera=\"no-provider-1\",reason=\"IllegalStateException\"", 15, WAIT);
      // A failed analysis is not an analysed frame.
      assertEquals(0.0, api.metric("gtv_frames_analysed_total", "camera=\"no-provider-1\""));
      List<String> warnings = lines.list.stream()
          .filter(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains("no-provider-1"))
          .map(ILoggingEvent::getFormattedMessage).toList();
      assertEquals(1, warnings.size(), "one line for 15 failed frames: " + warnings);
      assertTrue(warnings.get(0).contains("no inference provider reachable"), warnings.get(0));
      assertEquals("connected", api.get("no-provider-1").path("health").path("state").asText());
      JsonNode counters = api.await("no-provider-1", WAIT, c -> c.path("counters").path("framesFailed").asLong() >= 15,
          "15 failed frames in the counters").path("counters");
      assertEquals(0, counters.path("framesAnalysed").asLong(), counters.toString());
      assertEquals(0.0, counters.path("analysedFps").asDouble(), counters.toString());
      assertEquals("IllegalStateException: no inference provider reachable", counters.path("lastAnalysisError").asText());
    } finally {
      streamLog.detachAppender(lines);
    }
  }

  @Test
  void mjpegCameraIsSampledAtItsFps() {
    api.register("mjpeg-1", "mjpeg", camera.url("/mjpeg"), 2.0);
    api.register("mjpeg-nolength", "mjpeg", camera.url("/mjpeg-nolength"), 2.0);
    api.awaitState("mjpeg-1", "connected", WAIT);
    JsonNode c = api.await("mjpeg-1", WAIT, s -> framesSeen(s) >= 20, "20 frames received");
    // The server pushes about 10 frames/s; 2 of them each second are sampled.
    assertTrue(c.path("health").path("measuredFps").asDouble() > 5, c.toString());
    double received = api.metric("gtv_frames_received_total", "camera=\"mjpeg-1\"");
    double sampled = api.metric("gtv_frames_sampled_total", "camera=\"mjpeg-1\"");
    assertTrue(sampled > 0 && sampled < received / 2.5, "sampled " + sampled + " of " + received);
    api.await("mjpeg-nolength", WAIT, s -> framesSeen(s) >= 10, "parts without Content-Length are read too");
  }

  @Test
  void hlsPlaylistAndFileCamerasDeliverFrames() {
    Path video = MediaTools.video("horses.jpg", 640, 360, 10, 10, 20);
    Path playlist = MediaTools.hls(video);
    String playlistUrl = camera.url("/files/" + MediaTools.mediaDir().relativize(playlist).toString().replace('\\', '/'));
    api.register("hls-1", "hls", playlistUrl, 1.0);
    api.register("file-1", "file", video.toUri().toString(), 2.0);
    api.await("hls-1", WAIT, c -> framesSeen(c) >= 10, "HLS frames");
    JsonNode file = api.await("file-1", WAIT, c -> framesSeen(c) >= 10, "file frames");
    assertEquals("connected", file.path("health").path("state").asText());
    api.awaitMetric("gtv_frames_sampled_total", "camera=\"hls-1\"", 3, WAIT);
  }

  @Test
  void staticSceneIsSkippedByTheMotionGate() {
    api.register("still-1", "snapshot", camera.url("/still.jpg"), 5.0);
    api.await("still-1", WAIT, c -> framesSeen(c) >= 10, "10 frames");
    assertTrue(api.metric("gtv_frames_skipped_motion_total", "camera=\"still-1\"") >= 8);
    // Only the first frame was analysed (the forced one comes after 30 s).
    assertEquals(1.0, api.metric("gtv_frames_analysed_total", "camera=\"still-1\""));
  }

  @Test
  void disableStopsTheStreamAndEnableStartsItAgain() {
    api.register("snap-toggle", "snapshot", camera.url("/snapshot.jpg"), 5.0);
    api.await("snap-toggle", WAIT, c -> framesSeen(c) >= 3, "frames");
    JsonNode disabled = api.post("/api/cameras/snap-toggle/disable");
    assertEquals("idle", disabled.path("health").path("state").asText());
    // A frame already in flight when the stream stopped may still be counted: wait until the count rests.
    double received = awaitSteady("gtv_frames_received_total", "camera=\"snap-toggle\"");
    // Nothing is to happen now, so only a time window can show it: 1.5 s is 7 snapshots at 5 fps.
    MediaTools.sleep(1500);
    assertEquals(received, api.metric("gtv_frames_received_total", "camera=\"snap-toggle\""), "no frames while disabled");
    api.post("/api/cameras/snap-toggle/enable");
    api.await("snap-toggle", WAIT, c -> "connected".equals(c.path("health").path("state").asText()), "connected again");
    api.awaitMetric("gtv_frames_received_total", "camera=\"snap-toggle\"", received + 1, WAIT);
  }

  /** Polls a metric until two reads 300 ms apart agree (at 5 fps a running stream moves it in 200 ms). */
  private static double awaitSteady(String name, String labels) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    double previous = api.metric(name, labels);
    while (System.nanoTime() < deadline) {
      MediaTools.sleep(300);
      double now = api.metric(name, labels);
      if (now == previous) return now;
      previous = now;
    }
    throw new AssertionError(name + "{" + labels + "} still moving after " + WAIT);
  }

  @Test
  void motionMaskIsValidatedAndShown() {
    JsonNode c = api.register("masked-1", "snapshot", camera.url("/snapshot.jpg"), 1.0,
        "\"motionMask\": [[[0.0, 0.0], [0.5, 0.0], [0.5, 0.5]]]");
    assertEquals(3, c.path("motionMask").get(0).size());
  }
}
