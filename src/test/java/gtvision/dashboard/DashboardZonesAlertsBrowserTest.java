package gtvision.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import gtvision.testsupport.Browsers;
import gtvision.testsupport.IngestTestConfig;
import gtvision.testsupport.MediaTools;
import gtvision.testsupport.TestCameraServer;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestImages;
import gtvision.testsupport.TestNodes;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
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
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard's zones, lines, counts, watch list and alerts in a real browser against a real node with
 * built-in authentication: what an operator sees before raw detections.
 */
class DashboardZonesAlertsBrowserTest {
  private static final String ADMIN_PASSWORD = "zones-admin-pw-1";
  private static final String VIEWER_PASSWORD = "zones-viewer-pw-1";
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
      if (browser != null) Browsers.screenshot(browser, "DashboardZonesAlertsBrowserTest-" + context.getDisplayName());
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
    node = TestNodes.start(TestDatabases.preferPostgres("dashzones", dataDir), auth.withFallback(IngestTestConfig.fast()));
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
    ui.js("sessionStorage.clear()");
  }

  private static void addCamera(String id, String name, boolean enabled) {
    ui.api("POST", "/api/cameras", "{\"id\": \"" + id + "\", \"name\": \"" + name + "\", \"sourceKind\": \"snapshot\", "
        + "\"sourceUrl\": \"" + camera.url("/still.jpg") + "\", \"enabled\": " + enabled + "}", adminToken, 201);
    ui.awaitListed(id, adminToken);
  }

  /** One car a frame a second from {@code from}, its box moving from (x, y) by (dx, dy) a frame, frames numbered from {@code seq}. */
  private static void ingestCar(String cameraId, Instant from, int frames, String plate, long seq, int x, int y, int dx, int dy) {
    List<String> items = new ArrayList<>();
    for (int s = 0; s < frames; s++) {
      int x1 = x + dx * s;
      int y1 = y + dy * s;
      items.add("{\"cameraId\": \"" + cameraId + "\", \"timestamp\": \"" + from.plusSeconds(s) + "\", \"class\": \"car\", \"confidence\": 0.9, "
          + "\"bbox\": [" + x1 + ", " + y1 + ", " + (x1 + 120) + ", " + (y1 + 60) + "], \"plate\": \"" + plate + "\", \"plateConfidence\": 0.8, "
          + "\"frameWidth\": 640, \"frameHeight\": 360, \"frameSequence\": " + (seq + s) + "}");
    }
    ui.api("POST", "/api/ingest/detections", "{\"detections\": [" + String.join(",", items) + "]}", ui.ingestKey(adminToken), 200);
  }

  private static void openEditor(String name) {
    new WebDriverWait(browser, WAIT).ignoring(StaleElementReferenceException.class).until(d -> {
      ui.awaitRow(name).findElement(By.cssSelector("button.edit")).click();
      return true;
    });
  }

  private static WebElement stage(String id) {
    WebElement stage = new WebDriverWait(browser, WAIT).until(ExpectedConditions.presenceOfElementLocated(By.id(id)));
    ui.js("arguments[0].scrollIntoView({block: 'center'})", stage);
    return stage;
  }

  private static void clickAt(WebElement e, double fx, double fy) {
    var size = e.getRect().getDimension();
    new Actions(browser).moveToElement(e, (int) Math.round((fx - 0.5) * size.getWidth()), (int) Math.round((fy - 0.5) * size.getHeight()))
        .click().perform();
  }

  private static void assertPoint(double x, double y, JsonNode point) {
    assertEquals(x, point.get(0).asDouble(), 0.02, point.toString());
    assertEquals(y, point.get(1).asDouble(), 0.02, point.toString());
  }

  @Test
  void anAdminDrawsAZoneAndALineAndTheCameraKeepsThemWithTheServersErrorBesideTheZone() {
    addCamera("zone-cam", "Zone camera", false);
    ui.signIn("admin", ADMIN_PASSWORD);
    openEditor("Zone camera");

    WebElement zones = stage("zone-editor");
    ui.click(By.id("zone-new"));
    clickAt(zones, 0.1, 0.6);
    clickAt(zones, 0.5, 0.6);
    clickAt(zones, 0.5, 0.9);
    ui.click(By.id("zone-finish"));
    ui.type("zone-0-name", "no_parking");
    ui.type("zone-0-classes", "car, truck");
    ui.type("zone-0-loiterAfter", "-5");

    WebElement lines = stage("line-editor");
    ui.click(By.id("line-new"));
    clickAt(lines, 0.1, 0.5);
    clickAt(lines, 0.9, 0.5); // the second point ends the line
    assertEquals(1, browser.findElements(By.cssSelector("#line-editor line.polygon")).size());
    assertEquals(1, browser.findElements(By.cssSelector("#line-editor polyline.direction")).size(), "the line shows its in direction");
    ui.type("line-0-name", "gate-in");

    ui.click(By.id("camera-save"));
    WebElement error = browser.findElement(By.id("zone-0-error"));
    new WebDriverWait(browser, WAIT).until(d -> !error.getText().isBlank());
    assertTrue(error.getText().contains("loiterAfter"), error.getText());
    assertEquals("", browser.findElement(By.id("line-0-error")).getText());
    assertEquals("", browser.findElement(By.id("camera-form-error")).getText());

    ui.type("zone-0-loiterAfter", "120");
    ui.click(By.id("camera-save"));
    new WebDriverWait(browser, WAIT).until(d -> d.findElements(By.id("camera-form")).isEmpty());

    JsonNode saved = DashboardDriver.json(ui.api("GET", "/api/cameras/zone-cam", null, adminToken, 200));
    JsonNode zone = saved.get("zones").get(0);
    assertEquals(1, saved.get("zones").size(), saved.toString());
    assertEquals("no_parking", zone.get("name").asText());
    assertEquals("[\"car\",\"truck\"]", zone.get("classes").toString());
    assertEquals(120.0, zone.get("loiterAfter").asDouble());
    assertEquals(3, zone.get("polygon").size(), zone.toString());
    assertPoint(0.1, 0.6, zone.get("polygon").get(0));
    assertPoint(0.5, 0.9, zone.get("polygon").get(2));
    JsonNode line = saved.get("lines").get(0);
    assertEquals(1, saved.get("lines").size(), saved.toString());
    assertEquals("gate-in", line.get("name").asText());
    assertPoint(0.1, 0.5, line.get("from"));
    assertPoint(0.9, 0.5, line.get("to"));

    // Opened again: the zone and line are drawn with their names, and a deleted line leaves the camera.
    openEditor("Zone camera");
    new WebDriverWait(browser, WAIT).until(d -> "no_parking".equals(d.findElement(By.id("zone-0-name")).getAttribute("value")));
    assertEquals("no_parking", browser.findElement(By.cssSelector("#zone-editor .caption text")).getAttribute("textContent"));
    ui.click(By.id("line-0-delete"));
    ui.click(By.id("camera-save"));
    new WebDriverWait(browser, WAIT).until(d -> d.findElements(By.id("camera-form")).isEmpty());
    saved = DashboardDriver.json(ui.api("GET", "/api/cameras/zone-cam", null, adminToken, 200));
    assertEquals(0, saved.get("lines").size(), saved.toString());
    assertEquals(1, saved.get("zones").size(), saved.toString());
  }

  @Test
  void aCamerasDetailShowsItsLineCrossingsOfTheLastDay() {
    addCamera("count-cam", "Count camera", false);
    JsonNode cam = DashboardDriver.json(ui.api("GET", "/api/cameras/count-cam", null, adminToken, 200));
    ui.api("PUT", "/api/cameras/count-cam", "{\"name\": \"Count camera\", \"sourceKind\": \"snapshot\", \"sourceUrl\": "
        + DashboardDriver.quote(cam.get("sourceUrl").asText()) + ", \"enabled\": false, "
        + "\"lines\": [{\"name\": \"gate-in\", \"from\": [0.0, 0.5], \"to\": [1.0, 0.5], \"classes\": []}]}", adminToken, 200);
    // A car coming down the picture through the line: counted as in.
    ingestCar("count-cam", Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(120), 12, "CNT1A23", 1, 200, 20, 0, 20);
    new WebDriverWait(browser, WAIT).until(d -> DashboardDriver.json(ui.api("GET", "/api/counts?camera=count-cam", null, adminToken, 200))
        .get("lines").size() == 1);

    ui.signIn("admin", ADMIN_PASSWORD);
    new WebDriverWait(browser, WAIT).ignoring(StaleElementReferenceException.class).until(d -> {
      ui.awaitRow("Count camera").findElement(By.cssSelector(".name")).click();
      return true;
    });
    WebElement row = new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(
        By.cssSelector("#counts-table tr[data-line='gate-in']")));
    assertEquals("1", row.findElement(By.cssSelector(".in")).getText(), row.getText());
    assertEquals("0", row.findElement(By.cssSelector(".out")).getText(), row.getText());
    assertEquals("car 1/0", row.findElement(By.cssSelector(".classes")).getText());
    assertTrue(row.findElements(By.cssSelector(".hours .bar")).size() >= 24, "a bar per hour");
  }

  @Test
  void anOperatorAddsAWatchListEntryInThePageWithTheServersFieldError() {
    HttpResponse<String> created = ui.call("POST", "/api/auth/users",
        "{\"username\": \"desk\", \"password\": \"" + VIEWER_PASSWORD + "\", \"role\": \"operator\"}", adminToken);
    assertTrue(created.statusCode() == 201 || created.statusCode() == 409, created.body());
    ui.signIn("desk", VIEWER_PASSWORD);
    ui.click(By.id("nav-watchlist"));
    ui.click(By.id("watchlist-add"));
    ui.type("watch-pattern", "wl-1a 23");
    ui.click(By.id("watch-save"));
    WebElement error = browser.findElement(By.id("watch-label-error"));
    new WebDriverWait(browser, WAIT).until(d -> !error.getText().isBlank());
    assertEquals("", browser.findElement(By.id("watch-pattern-error")).getText());

    ui.type("watch-label", "stolen van, call desk 3");
    ui.click(By.id("watch-save"));
    WebElement entry = new WebDriverWait(browser, WAIT).ignoring(StaleElementReferenceException.class).until(d ->
        d.findElements(By.cssSelector("#watchlist-rows tr.entry")).stream().filter(r -> r.getText().contains("WL1A23")).findFirst().orElse(null));
    assertTrue(entry.getText().contains("stolen van, call desk 3"), entry.getText());
    JsonNode list = DashboardDriver.json(ui.api("GET", "/api/watchlist", null, adminToken, 200)).get("items");
    assertTrue(list.toString().contains("\"pattern\":\"WL1A23\""), list.toString());
  }

  @Test
  void aViewerSeesTheWatchListButNoEditControls() {
    ui.api("POST", "/api/watchlist", "{\"pattern\": \"VW1234\", \"label\": \"seen by viewers\"}", adminToken, 201);
    HttpResponse<String> created = ui.call("POST", "/api/auth/users",
        "{\"username\": \"looker\", \"password\": \"" + VIEWER_PASSWORD + "\", \"role\": \"viewer\"}", adminToken);
    assertTrue(created.statusCode() == 201 || created.statusCode() == 409, created.body());
    ui.signIn("looker", VIEWER_PASSWORD);
    ui.click(By.id("nav-watchlist"));
    WebElement entry = new WebDriverWait(browser, WAIT).ignoring(StaleElementReferenceException.class).until(d ->
        d.findElements(By.cssSelector("#watchlist-rows tr.entry")).stream().filter(r -> r.getText().contains("VW1234")).findFirst().orElse(null));
    assertTrue(entry.getText().contains("seen by viewers"), entry.getText());
    assertTrue(browser.findElements(By.id("watchlist-add")).isEmpty(), "no add button");
    assertTrue(browser.findElements(By.cssSelector("#watchlist button")).isEmpty(), "no edit or delete buttons");
  }

  @Test
  void aWatchedPlateAlertArrivesLiveOnTheLandingPageAndTheLiveGridWithTrackIdsOnTheBoxes() {
    ui.api("POST", "/api/watchlist", "{\"pattern\": \"ALR*\", \"label\": \"<b>stolen</b>\"}", adminToken, 201);
    addCamera("alert-cam", "Alert camera", true);
    Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(300);

    ui.signIn("admin", ADMIN_PASSWORD);
    ui.awaitLanding();
    new WebDriverWait(browser, WAIT).until(d -> "connected".equals(d.findElement(By.id("recent-alerts")).getAttribute("data-live")));
    ingestCar("alert-cam", base, 4, "ALR1234", 1, 100, 100, 20, 0);
    WebElement fresh = new WebDriverWait(browser, WAIT).ignoring(StaleElementReferenceException.class).until(d ->
        d.findElements(By.cssSelector("#recent-alerts li.alert.fresh")).stream().filter(li -> li.getText().contains("ALR1234")).findFirst().orElse(null));
    assertTrue(fresh.getText().contains("Alert camera") && fresh.getText().contains("<b>stolen</b>"), fresh.getText());
    assertTrue(browser.findElements(By.cssSelector("#recent-alerts b")).isEmpty(), "the label is text, not markup");

    // From the read side after a reload, above the tracked objects.
    new WebDriverWait(browser, WAIT).until(d -> DashboardDriver.json(ui.api("GET", "/api/alerts?camera=alert-cam", null, adminToken, 200))
        .get("items").size() == 1);
    browser.navigate().refresh();
    WebElement listed = new WebDriverWait(browser, WAIT).ignoring(StaleElementReferenceException.class).until(d ->
        d.findElements(By.cssSelector("#recent-alerts li.alert")).stream().filter(li -> li.getText().contains("ALR1234")).findFirst().orElse(null));
    assertTrue(listed.getText().contains("car") && listed.getText().contains("Alert camera"), listed.getText());
    assertTrue((Boolean) ui.js("return document.querySelector('section.alerts').compareDocumentPosition(document.querySelector('section.objects'))"
        + " === Node.DOCUMENT_POSITION_FOLLOWING"), "alerts come before tracked objects");

    // On the live grid: a banner at once, and the boxes carry the tracked object's id.
    browser.get(node.baseUrl() + "/#live");
    By tile = By.cssSelector(".tile[data-camera='alert-cam']");
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.presenceOfElementLocated(tile));
    new WebDriverWait(browser, WAIT).until(d -> "connected".equals(d.findElement(By.id("grid")).getAttribute("data-live")));
    new WebDriverWait(browser, WAIT).until(d -> d.findElement(tile).getAttribute("class").contains("playing"));
    ingestCar("alert-cam", base.plusSeconds(120), 4, "ALR5678", 100, 100, 100, 20, 0);
    WebElement toast = new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#alert-toasts .toast")));
    assertTrue(toast.getText().contains("ALR5678") && toast.getText().contains("Alert camera"), toast.getText());
    String labels = new WebDriverWait(browser, WAIT).until(d -> {
      String l = d.findElement(tile).getAttribute("data-labels");
      return l != null && l.matches("#\\d+ car 0\\.90 ALR5678") ? l : null;
    });
    assertTrue(labels.startsWith("#"), labels);
  }
}
