package gtvision.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import gtvision.testsupport.Browsers;
import gtvision.testsupport.MediaTools;
import gtvision.testsupport.IngestTestConfig;
import gtvision.testsupport.TestCameraServer;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestImages;
import gtvision.testsupport.TestNodes;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (headless Chromium) against a real node with built-in authentication:
 * sign-in, cameras, the live grid with a real HTTP camera, roles, safe rendering and search.
 */
class DashboardBrowserTest {
  private static final String ADMIN_PASSWORD = "dashboard-admin-pw-1";
  private static final String VIEWER_PASSWORD = "dashboard-viewer-pw-1";
  private static final Duration WAIT = DashboardDriver.WAIT;
  @TempDir static Path dataDir;
  private static TestNodes.Node node;
  private static TestCameraServer camera;
  private static ChromeDriver browser;
  private static String adminToken;
  private static DashboardDriver ui;

  @RegisterExtension
  final TestWatcher screenshots = new TestWatcher() {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      if (browser != null) Browsers.screenshot(browser, "DashboardBrowserTest-" + context.getDisplayName());
    }
  };

  @BeforeAll
  static void start() throws IOException {
    Browsers.requireChromium();
    camera = new TestCameraServer(TestImages.panning("kite.jpg", 640, 360, 8), 5, MediaTools.mediaDir());
    Config auth = ConfigFactory.parseString(String.join("\n",
        "gtv.auth.mode = builtin",
        "gtv.auth.admin-password = \"" + ADMIN_PASSWORD + "\"",
        "gtv.auth.password-iterations = 1000"));
    node = TestNodes.start(TestDatabases.preferPostgres("dashboard", dataDir), auth.withFallback(IngestTestConfig.fast()));
    browser = Browsers.headlessChromium();
    ui = new DashboardDriver(node, browser);
    adminToken = ui.login("admin", ADMIN_PASSWORD);
  }

  @AfterAll
  static void stop() {
    if (browser != null) browser.quit();
    if (node != null) node.stop();
    if (camera != null) camera.close();
  }

  @BeforeEach
  void signedOut() {
    browser.get(node.baseUrl() + "/");
    ((JavascriptExecutor) browser).executeScript("sessionStorage.clear()");
  }

  @Test
  void anAdminSignsInAddsACameraAndItsTileShowsTheNewestFrame() {
    ui.signIn("admin", ADMIN_PASSWORD);
    ui.click(By.id("add-camera"));
    ui.type("camera-id", "gate-1");
    ui.type("camera-name", "Gate 1");
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("camera-sourceKind"))).selectByValue("snapshot");
    ui.type("camera-sourceUrl", camera.url("/snapshot.jpg"));
    ui.type("camera-fps", "2");
    ui.type("camera-tags", "gate, north");
    ui.click(By.id("camera-enabled"));
    ui.click(By.id("camera-save"));
    ui.awaitRow("Gate 1");

    browser.get(node.baseUrl() + "/#live");
    By tile = By.cssSelector(".tile[data-camera='gate-1']");
    new WebDriverWait(browser, WAIT).until(d -> d.findElement(tile).getAttribute("class").contains("playing"));
    Number width = (Number) ui.js("return document.querySelector(\".tile[data-camera='gate-1'] img.frame\").naturalWidth");
    assertEquals(640, width.intValue(), "the tile shows the camera's own frame");
    // The frame changes: the tile asks again at the camera's fps while it is visible.
    String first = browser.findElement(tile).findElement(By.cssSelector("img.frame")).getAttribute("src");
    new WebDriverWait(browser, WAIT).until(d -> !first.equals(d.findElement(tile).findElement(By.cssSelector("img.frame")).getAttribute("src")));
    new WebDriverWait(browser, WAIT).until(d -> d.findElement(tile).findElement(By.cssSelector(".health")).getText().equals("connected"));

    // Detections of the camera arrive on the live feed and are drawn over the picture.
    String key = ui.ingestKey(adminToken);
    ui.awaitIngest(key, "gate-1", "AAA1B11", adminToken);
    new WebDriverWait(browser, WAIT).until(d -> "1".equals(d.findElement(tile).getAttribute("data-boxes")));
  }

  @Test
  void theServersFieldErrorIsShownBesideTheField() {
    ui.signIn("admin", ADMIN_PASSWORD);
    ui.click(By.id("add-camera"));
    ui.type("camera-id", "bad-fps");
    ui.type("camera-name", "Bad fps");
    ui.type("camera-sourceUrl", camera.url("/snapshot.jpg"));
    ui.type("camera-fps", "99");
    ui.click(By.id("camera-save"));
    WebElement error = new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("camera-fps-error")));
    new WebDriverWait(browser, WAIT).until(d -> !error.getText().isBlank());
    assertTrue(error.getText().contains("fps"), error.getText());
    assertEquals("", browser.findElement(By.id("camera-name-error")).getText());
    assertEquals("", browser.findElement(By.id("camera-form-error")).getText());
  }

  @Test
  void aViewerIsOfferedNoControlsItMayNotUse() {
    ui.api("POST", "/api/cameras", "{\"id\": \"viewer-cam\", \"name\": \"Seen by viewers\", \"sourceKind\": \"snapshot\", "
        + "\"sourceUrl\": \"" + camera.url("/still.jpg") + "\", \"enabled\": false}", adminToken, 201);
    HttpResponse<String> created = ui.call("POST", "/api/auth/users",
        "{\"username\": \"watcher\", \"password\": \"" + VIEWER_PASSWORD + "\", \"role\": \"viewer\"}", adminToken);
    assertTrue(created.statusCode() == 201 || created.statusCode() == 409, created.body());
    ui.signIn("watcher", VIEWER_PASSWORD);
    WebElement row = ui.awaitRow("Seen by viewers");
    assertTrue(browser.findElement(By.id("who")).getText().contains("viewer"));
    assertTrue(browser.findElements(By.id("add-camera")).isEmpty(), "no add button");
    for (String control : List.of("button.edit", "button.remove", "button.enable", "button.disable")) {
      assertTrue(browser.findElements(By.cssSelector(control)).isEmpty(), "no " + control);
    }
    assertTrue(row.findElements(By.tagName("button")).isEmpty());
  }

  @Test
  void aCameraNamedLikeMarkupIsShownAsText() {
    String name = "<img src=x onerror=alert(1)>";
    ui.api("POST", "/api/cameras", "{\"id\": \"xss-cam\", \"name\": " + DashboardDriver.quote(name) + ", \"tags\": [" + DashboardDriver.quote("<b>bold</b>")
        + "], \"sourceKind\": \"snapshot\", \"sourceUrl\": \"" + camera.url("/still.jpg") + "\", \"enabled\": false}", adminToken, 201);
    ui.awaitListed("xss-cam", adminToken);
    ui.signIn("admin", ADMIN_PASSWORD);
    // The list re-renders as camera states refresh: read the row's texts together, again if it was replaced.
    List<String> texts = new WebDriverWait(browser, WAIT).ignoring(StaleElementReferenceException.class).until(d -> {
      WebElement row = ui.awaitRow(name);
      return List.of(row.findElement(By.cssSelector(".name")).getText(), row.findElement(By.cssSelector(".tag")).getText());
    });
    assertEquals(List.of(name, "<b>bold</b>"), texts);
    assertTrue(browser.findElements(By.cssSelector("#camera-list img, #camera-list b")).isEmpty(), "no element made from the name");
    assertThrows(NoAlertPresentException.class, () -> browser.switchTo().alert());
  }

  @Test
  void searchFindsAnIngestedDetectionAndOpensIt() {
    ui.api("POST", "/api/cameras", "{\"id\": \"search-cam\", \"name\": \"Search camera\", \"sourceKind\": \"snapshot\", "
        + "\"sourceUrl\": \"" + camera.url("/still.jpg") + "\", \"enabled\": false}", adminToken, 201);
    ui.awaitIngest(ui.ingestKey(adminToken), "search-cam", "XYZ9A87", adminToken);
    ui.signIn("admin", ADMIN_PASSWORD);
    ui.click(By.id("nav-search"));
    new Select(new WebDriverWait(browser, WAIT).until(d -> d.findElement(By.id("search-kind")))).selectByValue("detections");
    ui.type("search-plate", "XYZ9*");
    ui.click(By.id("search-go"));
    WebElement result = new WebDriverWait(browser, WAIT).until(ExpectedConditions.elementToBeClickable(By.cssSelector("#results .result")));
    assertTrue(result.getText().contains("XYZ9A87"), result.getText());
    assertTrue(result.getText().contains("search-cam"), result.getText());
    result.click();
    WebElement viewer = new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("viewer")));
    new WebDriverWait(browser, WAIT).until(d -> !d.findElements(By.cssSelector("#viewer-image, #viewer-error")).isEmpty());
    assertTrue(viewer.getText().contains("plate XYZ9A87"), viewer.getText());
    // An ingested detection has no evidence frame: the viewer says so instead of a broken picture.
    assertTrue(viewer.getText().contains("no evidence frame"), viewer.getText());
  }

  @Test
  void theSystemPageListsTheClusterMembersAndHowFarEachProjectionIsBehind() {
    ui.api("POST", "/api/cameras", "{\"id\": \"system-cam\", \"name\": \"System camera\", \"sourceKind\": \"snapshot\", "
        + "\"sourceUrl\": \"" + camera.url("/still.jpg") + "\", \"enabled\": false}", adminToken, 201);
    ui.awaitListed("system-cam", adminToken); // the cameras projection has stored an offset
    // Cameras of other tests that still stream write events every second (frames, objects, stats), and the
    // projections store their offsets per group: with them running, "none behind" is a matter of when the page
    // samples. Stopped, the projections catch up and stay caught up.
    for (JsonNode c : DashboardDriver.json(ui.api("GET", "/api/cameras?limit=500&status=enabled", null, adminToken, 200)).get("items")) {
      ui.api("POST", "/api/cameras/" + c.get("id").asText() + "/disable", null, adminToken, 200);
    }
    ui.signIn("admin", ADMIN_PASSWORD);
    ui.click(By.id("nav-system"));
    String address = "pekko://gtvision@127.0.0.1:" + node.clusterPort();
    WebElement member = new WebDriverWait(browser, WAIT).ignoring(StaleElementReferenceException.class).until(d ->
        d.findElements(By.cssSelector("#members tbody tr")).stream().filter(r -> r.getText().contains(address)).findFirst().orElse(null));
    List<String> cells = new WebDriverWait(browser, WAIT).ignoring(StaleElementReferenceException.class).until(d ->
        d.findElements(By.cssSelector("#members tbody tr")).stream().filter(r -> r.getText().contains(address)).findFirst()
            .map(r -> r.findElements(By.tagName("td")).stream().map(WebElement::getText).toList()).orElse(null));
    assertEquals(List.of(address, "—", "up", "yes", "leader, this node"), cells, member.getText());
    // The node's authentication mode reads as words, not as an object's markup.
    String facts = browser.findElement(By.cssSelector("#system dl.facts")).getText();
    assertTrue(facts.contains("builtin") && !facts.contains("[object"), facts);
    // Every projection of camera events, with its slices' events behind and lag; the cameras' one has caught up.
    // Other tests' enabled cameras keep writing stats events, so on a loaded machine the page (refreshed every
    // 5 s) may need several refreshes to catch a moment with none behind: a longer wait than elsewhere.
    List<String> cameras = new WebDriverWait(browser, WAIT.multipliedBy(3)).ignoring(StaleElementReferenceException.class).until(d ->
        d.findElements(By.cssSelector("#projections tbody tr")).stream()
            .map(r -> r.findElements(By.tagName("td")).stream().map(WebElement::getText).toList())
            .filter(c -> c.get(0).equals("cameras") && c.get(2).equals("0")).findFirst().orElse(null));
    assertEquals("0.0 s", cameras.get(3), cameras.toString());
    assertFalse(cameras.get(4).isBlank(), "when its offset was stored");
  }

  @Test
  void anAdminDrawsAMotionMaskOnTheCamerasPictureAndItIsSaved() throws Exception {
    ui.api("POST", "/api/cameras", "{\"id\": \"mask-cam\", \"name\": \"Mask camera\", \"sourceKind\": \"snapshot\", \"fps\": 1, "
        + "\"sourceUrl\": \"" + camera.url("/still.jpg") + "\", \"enabled\": true}", adminToken, 201);
    ui.awaitListed("mask-cam", adminToken);
    new WebDriverWait(browser, WAIT).until(d -> ui.call("GET", "/api/cameras/mask-cam/frame/latest", null, adminToken).statusCode() == 200);
    ui.signIn("admin", ADMIN_PASSWORD);
    new WebDriverWait(browser, WAIT).ignoring(StaleElementReferenceException.class).until(d -> {
      ui.awaitRow("Mask camera").findElement(By.cssSelector("button.edit")).click();
      return true;
    });
    WebElement stage = new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("mask-editor")));
    // The form is taller than the window (zones and lines follow the mask): the mask is brought into view whole.
    ui.js("arguments[0].scrollIntoView({block: 'center'})", stage);
    new WebDriverWait(browser, WAIT).until(d -> ((Number) ui.js("return document.querySelector('.polygon-picture').naturalWidth")).intValue() > 0);

    // Two points and Save: the server's check, shown beside the mask.
    ui.click(By.id("mask-new"));
    clickAt(stage, 0.1, 0.1);
    clickAt(stage, 0.4, 0.1);
    ui.click(By.id("camera-save"));
    WebElement error = browser.findElement(By.id("camera-motionMask-error"));
    new WebDriverWait(browser, WAIT).until(d -> !error.getText().isBlank());
    assertTrue(error.getText().contains("needs 3 to 64 points"), error.getText());
    assertEquals("", browser.findElement(By.id("camera-form-error")).getText());

    // The third point closes a triangle; a second one is drawn, selected by a click and deleted.
    clickAt(stage, 0.4, 0.4);
    ui.click(By.id("mask-finish"));
    ui.click(By.id("mask-new"));
    clickAt(stage, 0.6, 0.6);
    clickAt(stage, 0.9, 0.6);
    clickAt(stage, 0.9, 0.9);
    ui.click(By.id("mask-finish"));
    clickAt(stage, 0.3, 0.15);
    assertEquals("polygon selected", browser.findElement(By.cssSelector("#mask-editor polygon[data-index='0']")).getAttribute("class"));
    clickAt(stage, 0.85, 0.7);
    assertEquals("polygon selected", browser.findElement(By.cssSelector("#mask-editor polygon[data-index='1']")).getAttribute("class"));
    ui.click(By.id("mask-delete"));
    assertEquals(1, browser.findElements(By.cssSelector("#mask-editor polygon")).size());

    // The triangle's first point is dragged elsewhere.
    WebElement first = browser.findElement(By.cssSelector("#mask-editor ellipse.handle[data-polygon='0'][data-point='0']"));
    new Actions(browser).clickAndHold(first).moveToElement(stage, offset(stage, 0.2, 0.3)[0], offset(stage, 0.2, 0.3)[1]).release().perform();
    ui.click(By.id("camera-save"));
    new WebDriverWait(browser, WAIT).until(d -> d.findElements(By.id("camera-form")).isEmpty());

    JsonNode mask = DashboardDriver.json(ui.api("GET", "/api/cameras/mask-cam", null, adminToken, 200)).get("motionMask");
    assertEquals(1, mask.size(), mask.toString());
    double[][] expected = {{0.2, 0.3}, {0.4, 0.1}, {0.4, 0.4}};
    assertEquals(3, mask.get(0).size(), mask.toString());
    for (int i = 0; i < 3; i++) {
      assertEquals(expected[i][0], mask.get(0).get(i).get(0).asDouble(), 0.02, mask.toString());
      assertEquals(expected[i][1], mask.get(0).get(i).get(1).asDouble(), 0.02, mask.toString());
    }
  }

  /** Pixels from the element's centre (what Selenium's offsets are) to the point at fractions fx, fy of it. */
  private static int[] offset(WebElement e, double fx, double fy) {
    var size = e.getRect().getDimension();
    return new int[] {(int) Math.round((fx - 0.5) * size.getWidth()), (int) Math.round((fy - 0.5) * size.getHeight())};
  }

  private static void clickAt(WebElement e, double fx, double fy) {
    int[] o = offset(e, fx, fy);
    new Actions(browser).moveToElement(e, o[0], o[1]).click().perform();
  }

  @Test
  void trackedObjectsAreListedOnTheLandingPageAndSearchedBeforeTheirDetections() {
    ui.api("POST", "/api/cameras", "{\"id\": \"objects-cam\", \"name\": \"Objects camera\", \"sourceKind\": \"snapshot\", "
        + "\"sourceUrl\": \"" + camera.url("/still.jpg") + "\", \"enabled\": false}", adminToken, 201);
    ui.awaitListed("objects-cam", adminToken);
    // Six frames of one car moving to the right: the camera's tracker makes them one object.
    Instant base = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).minusSeconds(600);
    List<String> items = new java.util.ArrayList<>();
    for (int s = 0; s < 6; s++) {
      items.add("{\"cameraId\": \"objects-cam\", \"timestamp\": \"" + base.plusSeconds(s) + "\", \"class\": \"car\", \"confidence\": 0.9, "
          + "\"bbox\": [" + (100 + 20 * s) + ", 100, " + (300 + 20 * s) + ", 250], \"plate\": \"OBJ1A23\", \"frameWidth\": 640, "
          + "\"frameHeight\": 360, \"frameSequence\": " + (s + 1) + "}");
    }
    ui.api("POST", "/api/ingest/detections", "{\"detections\": [" + String.join(",", items) + "]}", ui.ingestKey(adminToken), 200);
    new WebDriverWait(browser, WAIT).until(d -> DashboardDriver.json(ui.api("GET", "/api/events?camera=objects-cam", null, adminToken, 200))
        .get("items").size() == 1);

    ui.signIn("admin", ADMIN_PASSWORD);
    WebElement recent = new WebDriverWait(browser, WAIT).ignoring(StaleElementReferenceException.class).until(d ->
        d.findElements(By.cssSelector("#recent-objects li.object")).stream().filter(li -> li.getText().contains("OBJ1A23")).findFirst().orElse(null));
    assertTrue(recent.getText().contains("car") && recent.getText().contains("Objects camera"), recent.getText());

    ui.click(By.id("nav-search"));
    assertEquals("objects", new Select(browser.findElement(By.id("search-kind"))).getFirstSelectedOption().getAttribute("value"),
        "tracked objects are what a search looks for first");
    ui.type("search-plate", "OBJ1A23");
    ui.click(By.id("search-go"));
    new WebDriverWait(browser, WAIT).until(d -> "End of results.".equals(d.findElement(By.id("results-end")).getText()));
    List<WebElement> objects = browser.findElements(By.cssSelector("#results .result"));
    assertEquals(1, objects.size(), "one object for six detections");
    assertEquals("object", objects.get(0).getAttribute("data-kind"));
    assertTrue(objects.get(0).getText().contains("car") && objects.get(0).getText().contains("OBJ1A23"), objects.get(0).getText());
    objects.get(0).click();
    WebElement viewer = new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("viewer")));
    assertTrue(viewer.getText().contains("plate OBJ1A23") && viewer.getText().contains("objects-cam"), viewer.getText());

    // From the object to its raw detections.
    ui.click(By.id("viewer-detections"));
    new WebDriverWait(browser, WAIT).until(d -> d.findElements(By.cssSelector("#results .result")).size() == 6
        && "End of results.".equals(d.findElement(By.id("results-end")).getText()));
    for (WebElement r : browser.findElements(By.cssSelector("#results .result"))) {
      assertEquals(null, r.getAttribute("data-kind"));
      assertTrue(r.getText().contains("OBJ1A23"), r.getText());
    }
  }

  @Test
  void theFirstLoadIsSmallAndFast() throws IOException {
    ui.signIn("admin", ADMIN_PASSWORD);
    ui.awaitLanding();
    // A cold load of the landing page with the session kept: nothing cached, everything over the wire.
    browser.executeCdpCommand("Network.enable", Map.of());
    browser.executeCdpCommand("Network.clearBrowserCache", Map.of());
    browser.navigate().refresh();
    ui.awaitLanding();
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) ui.js(
        "const nav = performance.getEntriesByType('navigation')[0];"
            + "const res = performance.getEntriesByType('resource');"
            + "const stat = res.filter(r => !r.name.includes('/api/'));"
            + "const sum = (a, f) => a.reduce((s, r) => s + r[f], 0);"
            + "return {landingMs: performance.getEntriesByName('gtv-landing')[0].startTime,"
            + " transferred: nav.transferSize + sum(res, 'transferSize'), staticTransferred: nav.transferSize + sum(stat, 'transferSize'),"
            + " decoded: nav.decodedBodySize + sum(stat, 'decodedBodySize'), requests: 1 + res.length};");
    double landingMs = ((Number) m.get("landingMs")).doubleValue();
    long transferred = ((Number) m.get("transferred")).longValue();
    String report = "first load (cold cache, signed in): %.0f ms to the landing page, %d bytes transferred (%d of them page and assets, %d decoded), %d requests"
        .formatted(landingMs, transferred, ((Number) m.get("staticTransferred")).longValue(), ((Number) m.get("decoded")).longValue(),
            ((Number) m.get("requests")).longValue());
    Files.writeString(Path.of("target", "dashboard-first-load.txt"), report + "\n");
    System.out.println(report);
    assertTrue(transferred < 200 * 1024, report);
    assertTrue(landingMs < 500, report);
  }
}
