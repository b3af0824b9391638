package gtvision.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import gtvision.testsupport.Browsers;
import gtvision.testsupport.IngestTestConfig;
import gtvision.testsupport.MediaTools;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestMediaMtx;
import gtvision.testsupport.TestNodes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The live grid with MediaMTX configured, in headless Chromium: a real HLS stream (H.264 segments made by
 * ffmpeg from a test photo) served at MediaMTX's paths by {@link TestMediaMtx}, whose WHEP answers 404, so
 * every tile tries WebRTC first and plays through hls.js; boxes of the camera's detections are drawn over
 * the video; a tile out of view holds no stream.
 */
class DashboardLiveVideoBrowserTest {
  private static final String ADMIN_PASSWORD = "dashboard-video-admin-pw-1";
  private static final List<String> CAMERAS = List.of("video-1", "video-2", "video-3", "video-4");
  @TempDir static Path dataDir;
  private static TestMediaMtx mediaMtx;
  private static TestNodes.Node node;
  private static ChromeDriver browser;
  private static DashboardDriver ui;
  private static String adminToken;

  @RegisterExtension
  final TestWatcher screenshots = new TestWatcher() {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      if (browser != null) Browsers.screenshot(browser, "DashboardLiveVideoBrowserTest-" + context.getDisplayName());
    }
  };

  @BeforeAll
  static void start() throws IOException {
    Browsers.requireChromium();
    MediaTools.requireFfmpeg();
    // 40 s at 10 fps, a keyframe every 2 s: the playlist's 2 s segments each start with one.
    mediaMtx = new TestMediaMtx(MediaTools.hls(MediaTools.video("kite.jpg", 640, 360, 10, 20, 40)));
    Config settings = ConfigFactory.parseString(String.join("\n",
        "gtv.auth.mode = builtin",
        "gtv.auth.admin-password = \"" + ADMIN_PASSWORD + "\"",
        "gtv.auth.password-iterations = 1000",
        "gtv.dashboard.mediamtx-url = \"" + mediaMtx.url() + "\""));
    node = TestNodes.start(TestDatabases.preferPostgres("dashboard_video", dataDir), settings.withFallback(IngestTestConfig.fast()));
    browser = Browsers.headlessChromium();
    ui = new DashboardDriver(node, browser);
    adminToken = ui.login("admin", ADMIN_PASSWORD);
    for (String id : CAMERAS) {
      ui.api("POST", "/api/cameras", "{\"id\": \"" + id + "\", \"name\": \"Video " + id.substring(6) + "\", \"sourceKind\": \"rtsp\", "
          + "\"sourceUrl\": \"rtsp://127.0.0.1:1/" + id + "\", \"enabled\": false}", adminToken, 201);
    }
    for (String id : CAMERAS) ui.awaitListed(id, adminToken);
  }

  @AfterAll
  static void stop() {
    if (browser != null) browser.quit();
    if (node != null) node.stop();
    if (mediaMtx != null) mediaMtx.close();
  }

  @BeforeEach
  void signedOut() {
    browser.get(node.baseUrl() + "/");
    ui.js("sessionStorage.clear()");
  }

  @Test
  void theNodeTellsThePageWhereMediaMtxIsAndThePolicyAllowsExactlyThatOrigin() {
    JsonNode config = DashboardDriver.json(ui.api("GET", "/api/dashboard/config", null, adminToken, 200));
    assertEquals(mediaMtx.url(), config.get("mediaMtx").get("hls").asText());
    assertEquals(mediaMtx.url(), config.get("mediaMtx").get("webRtc").asText());
    String hlsJs = config.get("hlsJs").asText();
    var script = ui.call("GET", hlsJs, null, null);
    assertEquals(200, script.statusCode(), hlsJs);
    assertTrue(script.body().contains("Hls"), "the WebJar's hls.js");
    assertTrue(script.headers().firstValue("Cache-Control").orElseThrow().contains("immutable"));
    String csp = ui.call("GET", "/", null, null).headers().firstValue("Content-Security-Policy").orElseThrow();
    assertTrue(csp.contains("connect-src 'self' ws: wss: " + mediaMtx.url() + ";"), csp);
    assertTrue(csp.contains("media-src 'self' blob: " + mediaMtx.url() + ";"), csp);
    assertTrue(csp.contains("script-src 'self';") && !csp.contains("unsafe"), csp);
  }

  @Test
  void aVisibleTilePlaysHlsAfterWebRtcIsRefusedWithTheCamerasBoxesDrawnOverTheVideo() {
    ui.signIn("admin", ADMIN_PASSWORD);
    browser.get(node.baseUrl() + "/#live");
    String tile = ".tile[data-camera='video-1']";
    new WebDriverWait(browser, DashboardDriver.WAIT).until(d -> "hls".equals(d.findElement(By.cssSelector(tile)).getAttribute("data-source")));
    double first = awaitPlaying(tile);
    new WebDriverWait(browser, DashboardDriver.WAIT).until(d -> currentTime(tile) > first + 1.0);
    // The test video's picture (640x360; its sample aspect, from ffmpeg's rounding, makes it display 641 wide).
    assertEquals(360, ((Number) ui.js("return document.querySelector(arguments[0] + ' video').videoHeight", tile)).intValue());
    int width = ((Number) ui.js("return document.querySelector(arguments[0] + ' video').videoWidth", tile)).intValue();
    assertTrue(Math.abs(width - 640) <= 1, "video width " + width);

    // WebRTC was asked first, then HLS; both with the signed-in token as a header (MediaMTX asks the node).
    List<TestMediaMtx.Request> asked = mediaMtx.requests("video-1");
    assertEquals("whep", asked.get(0).file(), asked.toString());
    assertEquals("POST", asked.get(0).method(), asked.toString());
    assertTrue(asked.stream().anyMatch(r -> r.file().equals("index.m3u8")), asked.toString());
    assertTrue(asked.stream().anyMatch(r -> r.file().endsWith(".ts")), asked.toString());
    assertTrue(asked.stream().allMatch(r -> r.authorization() != null && r.authorization().startsWith("Bearer ")), asked.toString());

    // A detection of the camera is drawn on the canvas over the video, scaled from the camera's pixels.
    ui.awaitIngest(ui.ingestKey(adminToken), "video-1", "VID1E01", adminToken);
    new WebDriverWait(browser, DashboardDriver.WAIT).until(d -> "1".equals(d.findElement(By.cssSelector(tile)).getAttribute("data-boxes")));
    // The box's left edge at its vertical middle (camera pixels x = 100, y = 175), in the canvas's pixels.
    String colour = (String) ui.js("const c = document.querySelector(arguments[0] + ' canvas.boxes');"
        + "const v = document.querySelector(arguments[0] + ' video');"
        + "const x = Math.floor(100 * c.width / v.videoWidth), y = Math.floor(175 * c.height / v.videoHeight);"
        + "const p = c.getContext('2d').getImageData(x, y, 1, 1).data; return p[0] + ',' + p[1] + ',' + p[2] + ',' + p[3];", tile);
    assertEquals("255,208,0,255", colour, "the box's colour where its edge is");
    String inside = (String) ui.js("const c = document.querySelector(arguments[0] + ' canvas.boxes');"
        + "const p = c.getContext('2d').getImageData(Math.round(c.width * 0.3), Math.round(c.height * 0.5), 1, 1).data; return String(p[3]);", tile);
    assertEquals("0", inside, "the canvas is clear inside the box, the video shows through");
    // Only that camera's tile has boxes.
    assertTrue(browser.findElement(By.cssSelector(".tile[data-camera='video-2']")).getAttribute("data-boxes") == null);
  }

  @Test
  void aTileOutOfViewHoldsNoStreamUntilItIsScrolledIntoView() {
    browser.manage().window().setSize(new Dimension(1000, 300));
    try {
      ui.signIn("admin", ADMIN_PASSWORD);
      browser.get(node.baseUrl() + "/#live");
      new Select(new WebDriverWait(browser, DashboardDriver.WAIT).until(d -> d.findElement(By.id("grid-size")))).selectByValue("4");
      String top = ".tile[data-camera='video-1']";
      String bottom = ".tile[data-camera='video-4']";
      new WebDriverWait(browser, DashboardDriver.WAIT).until(d -> "hls".equals(d.findElement(By.cssSelector(top)).getAttribute("data-source")));
      awaitPlaying(top);
      assertFalse(inView(bottom), "precondition: the grid is taller than the window");
      int before = mediaMtx.requests("video-4").size();
      assertEquals(0, before, "a tile out of view asks MediaMTX nothing: " + mediaMtx.requests("video-4"));

      ui.js("document.querySelector(arguments[0]).scrollIntoView()", bottom);
      new WebDriverWait(browser, DashboardDriver.WAIT).until(d -> "hls".equals(d.findElement(By.cssSelector(bottom)).getAttribute("data-source")));
      awaitPlaying(bottom);
      assertFalse(inView(top), "precondition: the first row left the window");
      // The tile that left the view gave its stream up: no player, no source on its video.
      new WebDriverWait(browser, DashboardDriver.WAIT).until(d -> d.findElement(By.cssSelector(top)).getAttribute("data-source") == null);
      assertEquals(Boolean.TRUE, ui.js("const v = document.querySelector(arguments[0] + ' video'); return !v.src && !v.srcObject;", top));
    } finally {
      browser.manage().window().setSize(new Dimension(1400, 1000));
    }
  }

  /** Waits until the tile's video has a frame to show and is moving; returns its current time. */
  private static double awaitPlaying(String tile) {
    new WebDriverWait(browser, DashboardDriver.WAIT).until(d -> {
      Number state = (Number) ui.js("return document.querySelector(arguments[0] + ' video').readyState", tile);
      return state.intValue() >= 2 && currentTime(tile) > 0;
    });
    return currentTime(tile);
  }

  private static double currentTime(String tile) {
    return ((Number) ui.js("return document.querySelector(arguments[0] + ' video').currentTime", tile)).doubleValue();
  }

  private static boolean inView(String selector) {
    return Boolean.TRUE.equals(ui.js("const r = document.querySelector(arguments[0]).getBoundingClientRect();"
        + "return r.bottom > 0 && r.top < window.innerHeight;", selector));
  }
}
