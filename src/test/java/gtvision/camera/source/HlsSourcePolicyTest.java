package gtvision.camera.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import gtvision.testsupport.CameraApi;
import gtvision.testsupport.IngestTestConfig;
import gtvision.testsupport.MediaTools;
import gtvision.testsupport.TestCameraServer;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestNodes;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HLS cameras on a whole node, whose allowed networks are 127.0.0.1/32: FFmpeg's requests go through the
 * node's source proxy, so a playlist that names segments on another host (127.0.0.2) loses the stream
 * with the refusal in {@code health.lastError}, and that host never sees a request; the same video with
 * segments beside the playlist plays.
 */
class HlsSourcePolicyTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String LEAK = "LEAKED-SECRET";
  @TempDir static Path dataDir;
  private static TestNodes.Node node;
  private static CameraApi api;
  private static TestCameraServer camera;
  private static HttpServer foreign;
  private static final AtomicInteger foreignRequests = new AtomicInteger();
  private static String playlistUrl;
  private static String foreignPlaylistUrl;

  @BeforeAll
  static void start() throws Exception {
    Path playlist = MediaTools.hls(MediaTools.video("horses.jpg", 320, 240, 10, 10, 20));
    camera = new TestCameraServer(List.of(), 1, MediaTools.mediaDir());
    foreign = HttpServer.create(new InetSocketAddress("127.0.0.2", 0), 0);
    foreign.createContext("/", ex -> {
      foreignRequests.incrementAndGet();
      byte[] body = LEAK.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    });
    foreign.start();
    Path foreignPlaylist = playlist.resolveSibling("node-foreign-" + foreign.getAddress().getPort() + ".m3u8");
    List<String> lines = new ArrayList<>();
    for (String line : Files.readAllLines(playlist)) {
      lines.add(line.endsWith(".ts") ? "http://127.0.0.2:" + foreign.getAddress().getPort() + "/" + line : line);
    }
    Files.write(foreignPlaylist, lines);
    playlistUrl = served(playlist);
    foreignPlaylistUrl = served(foreignPlaylist);
    node = TestNodes.start(TestDatabases.preferPostgres("hlsproxy", dataDir),
        ConfigFactory.parseString("gtv.camera.allowed-networks = \"127.0.0.1/32\"").withFallback(IngestTestConfig.fast()));
    api = new CameraApi(node);
  }

  private static String served(Path file) {
    return camera.url("/files/" + MediaTools.mediaDir().relativize(file).toString().replace('\\', '/'));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
    if (camera != null) camera.close();
    if (foreign != null) foreign.stop(0);
  }

  @Test
  void aPlaylistWithSegmentsOnARefusedHostShowsTheRefusalAndNeverFetchesFromIt() {
    api.register("hls-foreign", "hls", foreignPlaylistUrl, 1.0);
    JsonNode c = api.await("hls-foreign", WAIT,
        s -> s.path("health").path("lastError").asText().contains("HLS segment host"), "the refusal in lastError");
    assertEquals("HLS segment host '127.0.0.2' is refused: not in gtv.camera.allowed-networks",
        c.path("health").path("lastError").asText(), c.toString());
    assertFalse(c.toString().contains(LEAK), c.toString());
    assertEquals("lost", c.path("health").path("state").asText());
    assertTrue(api.metric("gtv_source_proxy_requests_total", "outcome=\"refused\"") >= 1);
    assertEquals(0, foreignRequests.get(), "the refused host never saw a request");
  }

  @Test
  void theSamePlaylistWithSegmentsBesideItPlaysThroughTheProxy() {
    api.register("hls-allowed", "hls", playlistUrl, 1.0);
    api.await("hls-allowed", WAIT, c -> c.path("counters").path("framesSeen").asLong() >= 3, "HLS frames");
    assertTrue(api.metric("gtv_source_proxy_requests_total", "outcome=\"forwarded\"") >= 2,
        "playlist and segments went through the proxy");
  }
}
