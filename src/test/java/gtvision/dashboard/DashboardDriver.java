package gtvision.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gtvision.testsupport.MediaTools;
import gtvision.testsupport.TestNodes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** What the dashboard's browser tests do to a node: through its page in Chromium, and through its API beside. */
final class DashboardDriver {
  static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final TestNodes.Node node;
  private final ChromeDriver browser;

  DashboardDriver(TestNodes.Node node, ChromeDriver browser) {
    this.node = node;
    this.browser = browser;
  }

  void signIn(String username, String password) {
    browser.get(node.baseUrl() + "/");
    WebElement user = new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
    user.sendKeys(username);
    browser.findElement(By.id("password")).sendKeys(password);
    browser.findElement(By.cssSelector("#signin button[type=submit]")).click();
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("who")));
  }

  void awaitLanding() {
    new WebDriverWait(browser, WAIT).until(d -> Boolean.TRUE.equals(
        ((JavascriptExecutor) d).executeScript("return performance.getEntriesByName('gtv-landing').length > 0")));
  }

  /** The list comes from the read side, a moment behind the camera: wait until it lists {@code id}. */
  void awaitListed(String id, String token) {
    new WebDriverWait(browser, WAIT).until(d -> call("GET", "/api/cameras?limit=500", null, token).body()
        .contains("\"id\":\"" + id + "\""));
  }

  WebElement awaitRow(String name) {
    return new WebDriverWait(browser, WAIT).ignoring(StaleElementReferenceException.class).until(d -> d.findElements(By.cssSelector("#camera-list .row.camera")).stream()
        .filter(r -> r.findElement(By.cssSelector(".name")).getText().equals(name)).findFirst().orElse(null));
  }

  void click(By by) {
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.elementToBeClickable(by)).click();
  }

  void type(String id, String text) {
    WebElement input = new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id(id)));
    input.clear();
    input.sendKeys(text);
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(script, args);
  }

  static String quote(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  String login(String username, String password) {
    return json(api("POST", "/api/auth/login", "{\"username\": " + quote(username) + ", \"password\": " + quote(password) + "}", null, 200))
        .get("token").asText();
  }

  String ingestKey(String adminToken) {
    return json(api("POST", "/api/auth/keys", "{\"name\": \"producer-" + System.nanoTime() + "\", \"role\": \"ingest\", \"cameras\": [\"*\"]}",
        adminToken, 201)).get("key").asText();
  }

  /** Ingests one car with {@code plate} for {@code cameraId} (retrying while the read side learns of the camera). */
  void awaitIngest(String key, String cameraId, String plate, String readerToken) {
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
      JsonNode found = json(api("GET", "/api/detections?plate=" + plate, null, readerToken, 200));
      if (found.get("items").size() > 0) return;
      MediaTools.sleep(200);
    }
    throw new AssertionError("detection " + plate + " never reached the read side");
  }

  HttpResponse<String> api(String method, String path, String body, String bearer, int expected) {
    HttpResponse<String> r = call(method, path, body, bearer);
    assertEquals(expected, r.statusCode(), method + " " + path + ": " + r.body());
    return r;
  }

  HttpResponse<String> call(String method, String path, String body, String bearer) {
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

  static JsonNode json(HttpResponse<String> r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new IllegalStateException("not JSON: " + r.body(), e);
    }
  }
}
