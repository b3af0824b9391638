package gtvision.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (headless Chromium) against a real node with built-in authentication:
 * sign-in, cameras, the live grid with a real HTTP camera, roles, safe rendering and search.
 */
class DashboardBrowserTest {
  private static final String ADMIN_PASSWORD = "dashboard-admin-pw-1";
  private static final String VIEWER_PASSWORD = "dashboard-viewer-pw-1";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir static Path dataDir;
  private static TestNodes.Node node;
  private static TestCameraServer camera;
  private static ChromeDriver browser;
  private static String adminToken;

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
    adminToken = login("admin", ADMIN_PASSWORD);
    browser = Browsers.headlessChromium();
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
    signIn("admin", ADMIN_PASSWORD);
    click(By.id("add-camera"));
    type("camera-id", "gate-1");
    type("camera-name", "Gate 1");
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("camera-sourceKind"))).selectByValue("snapshot");
    type("camera-sourceUrl", camera.url("/snapshot.jpg"));
    type("camera-fps", "2");
    type("camera-tags", "gate, north");
    click(By.id("camera-enabled"));
    click(By.id("camera-save"));
    awaitRow("Gate 1");

    browser.get(node.baseUrl() + "/#live");
    By tile = By.cssSelector(".tile[data-camera='gate-1']");
    new WebDriverWait(browser, WAIT).until(d -> d.findElement(tile).getAttribute("class").contains("playing"));
    Number width = (Number) js("return document.querySelector(\".tile[data-camera='gate-1'] img.frame\").naturalWidth");
    assertEquals(640, width.intValue(), "the tile shows the camera's own frame");
    // The frame changes: the tile asks again at the camera's fps while it is visible.
    String first = browser.findElement(tile).findElement(By.cssSelector("img.frame")).getAttribute("src");
    new WebDriverWait(browser, WAIT).until(d -> !first.equals(d.findElement(tile).findElement(By.cssSelector("img.frame")).getAttribute("src")));
    new WebDriverWait(browser, WAIT).until(d -> d.findElement(tile).findElement(By.cssSelector(".health")).getText().equals("connected"));

    // Detections of the camera arrive on the live feed and are drawn over the picture.
    String key = ingestKey();
    awaitIngest(key, "gate-1", "AAA1B11");
    new WebDriverWait(browser, WAIT).until(d -> "1".equals(d.findElement(tile).getAttribute("data-boxes")));
  }

  @Test
  void theServersFieldErrorIsShownBesideTheField() {
    signIn("admin", ADMIN_PASSWORD);
    click(By.id("add-camera"));
    type("camera-id", "bad-fps");
    type("camera-name", "Bad fps");
    type("camera-sourceUrl", camera.url("/snapshot.jpg"));
    type("camera-fps", "99");
    click(By.id("camera-save"));
    WebElement error = new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("camera-fps-error")));
    new WebDriverWait(browser, WAIT).until(d -> !error.getText().isBlank());
    assertTrue(error.getText().contains("fps"), error.getText());
    assertEquals("", browser.findElement(By.id("camera-name-error")).getText());
    assertEquals("", browser.findElement(By.id("camera-form-error")).getText());
  }

  @Test
  void aViewerIsOfferedNoControlsItMayNotUse() {
    api("POST", "/api/cameras", "{\"id\": \"viewer-cam\", \"name\": \"Seen by viewers\", \"sourceKind\": \"snapshot\", "
        + "\"sourceUrl\": \"" + camera.url("/still.jpg") + "\", \"enabled\": false}", adminToken, 201);
    HttpResponse<String> created = call("POST", "/api/auth/users",
        "{\"username\": \"watcher\", \"password\": \"" + VIEWER_PASSWORD + "\", \"role\": \"viewer\"}", adminToken);
    assertTrue(created.statusCode() == 201 || created.statusCode() == 409, created.body());
    signIn("watcher", VIEWER_PASSWORD);
    WebElement row = awaitRow("Seen by viewers");
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
    api("POST", "/api/cameras", "{\"id\": \"xss-cam\", \"name\": " + quote(name) + ", \"tags\": [" + quote("<b>bold</b>")
        + "], \"sourceKind\": \"snapshot\", \"sourceUrl\": \"" + camera.url("/still.jpg") + "\", \"enabled\": false}", adminToken, 201);
    awaitListed("xss-cam");
    signIn("admin", ADMIN_PASSWORD);
    // The list re-renders as camera states refresh: read the row's texts together, again if it was replaced.
    List<String> texts = new WebDriverWait(browser, WAIT).ignoring(StaleElementReferenceException.class).until(d -> {
      WebElement row = awaitRow(name);
      return List.of(row.findElement(By.cssSelector(".name")).getText(), row.findElement(By.cssSelector(".tag")).getText());
    });
    assertEquals(List.of(name, "<b>bold</b>"), texts);
    assertTrue(browser.findElements(By.cssSelector("#camera-list img, #camera-list b")).isEmpty(), "no element made from the name");
    assertThrows(NoAlertPresentException.class, () -> browser.switchTo().alert());
  }

  @Test
  void searchFindsAnIngestedDetectionAndOpensIt() {
    api("POST", "/api/cameras", "{\"id\": \"search-cam\", \"name\": \"Search camera\", \"sourceKind\": \"snapshot\", "
        + "\"sourceUrl\": \"" + camera.url("/still.jpg") + "\", \"enabled\": false}", adminToken, 201);
    awaitIngest(ingestKey(), "search-cam", "XYZ9A87");
    signIn("admin", ADMIN_PASSWORD);
    click(By.id("nav-search"));
    type("search-plate", "XYZ9*");
    click(By.id("search-go"));
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
  void theFirstLoadIsSmallAndFast() throws IOException {
    signIn("admin", ADMIN_PASSWORD);
    awaitLanding();
    // A cold load of the landing page with the session kept: nothing cached, everything over the wire.
    browser.executeCdpCommand("Network.enable", Map.of());
    browser.executeCdpCommand("Network.clearBrowserCache", Map.of());
    browser.navigate().refresh();
    awaitLanding();
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) js(
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

  // ---- helpers ----

  private static void signIn(String username, String password) {
    browser.get(node.baseUrl() + "/");
    WebElement user = new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
    user.sendKeys(username);
    browser.findElement(By.id("password")).sendKeys(password);
    browser.findElement(By.cssSelector("#signin button[type=submit]")).click();
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("who")));
  }

  private static void awaitLanding() {
    new WebDriverWait(browser, WAIT).until(d -> Boolean.TRUE.equals(
        ((JavascriptExecutor) d).executeScript("return performance.getEntriesByName('gtv-landing').length > 0")));
  }

  /** The list comes from the read side, a moment behind the camera: wait until it lists {@code id}. */
  private static void awaitListed(String id) {
    new WebDriverWait(browser, WAIT).until(d -> call("GET", "/api/cameras?limit=500", null, adminToken).body()
        .contains("\"id\":\"" + id + "\""));
  }

  private static WebElement awaitRow(String name) {
    return new WebDriverWait(browser, WAIT).ignoring(StaleElementReferenceException.class).until(d -> d.findElements(By.cssSelector("#camera-list .row.camera")).stream()
        .filter(r -> r.findElement(By.cssSelector(".name")).getText().equals(name)).findFirst().orElse(null));
  }

  private static void click(By by) {
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.elementToBeClickable(by)).click();
  }

  private static void type(String id, String text) {
    WebElement input = new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id(id)));
    input.clear();
    input.sendKeys(text);
  }

  private static Object js(String script) {
    return ((JavascriptExecutor) browser).executeScript(script);
  }

  private static String quote(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String login(String username, String password) {
    return json(api("POST", "/api/auth/login", "{\"username\": " + quote(username) + ", \"password\": " + quote(password) + "}", null, 200))
        .get("token").asText();
  }

  private static String ingestKey() {
    return json(api("POST", "/api/auth/keys", "{\"name\": \"producer-" + System.nanoTime() + "\", \"role\": \"ingest\", \"cameras\": [\"*\"]}",
        adminToken, 201)).get("key").asText();
  }

  /** Ingests one car with {@code plate} for {@code cameraId} (retrying while the read side learns of the camera). */
  private static void awaitIngest(String key, String cameraId, String plate) {
    String body = "{\"detections\": [{\"cameraId\": \"" + cameraId + "\", \"timestamp\": \"" + Instant.now().minusSeconds(1)
        + "\", \"class\": \"car\", \"confidence\": 0.91, \"bbox\": [100, 100, 300, 250], \"plate\": \"" + plate
        + "\", \"frameWidth\": 640, \"frameHeight\": 360}]}";
    Instant deadline = Instant.now().plus(WAIT);
    HttpResponse<String> r;
    do {
      r = call("POST", "/api/ingest/detections", body, key);
      if (r.statusCode() == 200) break;
      MediaTools.sleep(200);
    } while (Instant.now().isBefore(deadline));
    assertEquals(200, r.statusCode(), r.body());
    // The read side answers the search once the projection wrote the row.
    Instant until = Instant.now().plus(WAIT);
    while (Instant.now().isBefore(until)) {
      JsonNode found = json(api("GET", "/api/detections?plate=" + plate, null, adminToken, 200));
      if (found.get("items").size() > 0) return;
      MediaTools.sleep(200);
    }
    throw new AssertionError("detection " + plate + " never reached the read side");
  }

  private static HttpResponse<String> api(String method, String path, String body, String bearer, int expected) {
    HttpResponse<String> r = call(method, path, body, bearer);
    assertEquals(expected, r.statusCode(), method + " " + path + ": " + r.body());
    return r;
  }

  private static HttpResponse<String> call(String method, String path, String body, String bearer) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.baseUrl() + path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) b.header("Content-Type", "application/json");
    Optional.ofNullable(bearer).ifPresent(t -> b.header("Authorization", "Bearer " + t));
    try {
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode json(HttpResponse<String> r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new IllegalStateException("not JSON: " + r.body(), e);
    }
  }
}
