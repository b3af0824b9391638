package gtvision.apidocs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import gtvision.testsupport.Browsers;
import gtvision.testsupport.OpenApiDescription;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestNodes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/** Swagger UI renders the node's description in a real browser, without a credential, under its CSP. */
class ApiDocsBrowserTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  @TempDir static Path dir;
  private static TestNodes.Node node;
  private static ChromeDriver browser;

  @BeforeAll
  static void start() {
    Browsers.requireChromium();
    node = TestNodes.start(TestDatabases.h2(dir), ConfigFactory.parseString(String.join("\n",
        "gtv.data-dir = \"" + dir.toString().replace("\\", "/") + "\"",
        "gtv.auth.mode = builtin",
        "gtv.auth.admin-password = \"browser-admin-password\"",
        "gtv.auth.password-iterations = 1000")));
    browser = Browsers.headlessChromium();
  }

  @AfterAll
  static void stop() {
    if (browser != null) browser.quit();
    if (node != null) node.stop();
  }

  @Test
  void swaggerUiShowsEveryOperationWithoutACredentialAndBreaksNoContentSecurityRule() {
    // Recorded from the first script of every page on, so a violation while the page loads is seen too.
    browser.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source",
        "window.__violations = []; document.addEventListener('securitypolicyviolation',"
            + " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"));
    browser.get(node.baseUrl() + "/api/docs");
    WebDriverWait wait = new WebDriverWait(browser, WAIT);
    int described = OpenApiDescription.load().operations().size();
    wait.until(d -> d.findElements(By.cssSelector(".opblock")).size() == described);
    assertTrue(browser.findElement(By.cssSelector(".info .title")).getText().contains("GT-Vision API"));
    Set<String> paths = new TreeSet<>();
    for (WebElement e : browser.findElements(By.cssSelector(".opblock-summary-path"))) paths.add(e.getAttribute("data-path"));
    assertTrue(paths.contains("/api/cameras/{id}") && paths.contains("/api/auth/login"), paths.toString());
    // An operation opened shows its parameters and the schemas of its answers.
    browser.findElement(By.cssSelector("#operations-cameras-listCameras .opblock-summary-control")).click();
    wait.until(d -> d.findElement(By.id("operations-cameras-listCameras")).getText().contains("nextCursor"));
    // Swagger UI's "Authorize" offers the node's credentials.
    browser.findElement(By.cssSelector(".btn.authorize")).click();
    wait.until(d -> !d.findElements(By.cssSelector(".auth-container")).isEmpty());
    String dialog = browser.findElement(By.cssSelector(".dialog-ux")).getText();
    assertTrue(dialog.contains("bearerToken") && dialog.contains("apiKey"), dialog);
    @SuppressWarnings("unchecked")
    List<Object> violations = (List<Object>) browser.executeScript("return window.__violations;");
    assertEquals(List.of(), violations);
  }
}
