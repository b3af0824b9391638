package gtvision.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import gtvision.testsupport.Browsers;
import gtvision.testsupport.IngestTestConfig;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestKeycloak;
import gtvision.testsupport.TestNodes;
import java.nio.file.Path;
import java.time.Duration;
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
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard of a node in oidc mode signing in at a real Keycloak (realm
 * src/test/resources/keycloak/gtvision-realm.json, public client gtvision-dashboard-web with PKCE S256
 * required): the page leaves for Keycloak's login form, comes back with a code and signs in with the
 * provider's access token; roles come from the token as the node maps them. The client's access tokens
 * live 12 s, so that their renewal with the refresh token happens within a test.
 */
class DashboardOidcBrowserTest {
  private static final String REALM = "gtvision";
  private static final String CLIENT = "gtvision-dashboard-web";
  private static final Duration WAIT = DashboardDriver.WAIT;
  @TempDir static Path dir;
  private static TestKeycloak keycloak;
  private static TestNodes.Node node;
  private static ChromeDriver browser;
  private static DashboardDriver ui;

  @RegisterExtension
  final TestWatcher screenshots = new TestWatcher() {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      if (browser != null) Browsers.screenshot(browser, "DashboardOidcBrowserTest-" + context.getDisplayName());
    }
  };

  @BeforeAll
  static void start() throws Exception {
    Browsers.requireChromium();
    keycloak = new TestKeycloak("keycloak/gtvision-realm.json", REALM);
    node = TestNodes.start(TestDatabases.preferPostgres("dashboard_oidc", dir), ConfigFactory.parseString(String.join("\n",
        "gtv.auth.mode = oidc",
        "gtv.auth.oidc.issuer = \"" + keycloak.issuer(REALM) + "\"",
        "gtv.auth.oidc.audience = gtvision-api",
        "gtv.auth.oidc.dashboard-client-id = " + CLIENT,
        "gtv.auth.password-iterations = 1000")).withFallback(IngestTestConfig.fast()));
    browser = Browsers.headlessChromium();
    ui = new DashboardDriver(node, browser);
    String adam = keycloak.passwordToken(REALM, "gtvision-dashboard", "adam", "adam-password");
    ui.api("POST", "/api/cameras", "{\"id\": \"oidc-cam\", \"name\": \"Seen after OIDC sign-in\", \"sourceKind\": \"snapshot\", "
        + "\"sourceUrl\": \"http://127.0.0.1:9/still.jpg\", \"enabled\": false}", adam, 201);
    ui.awaitListed("oidc-cam", adam);
  }

  @AfterAll
  static void stop() {
    if (browser != null) browser.quit();
    if (node != null) node.stop();
    if (keycloak != null) keycloak.close();
  }

  /** No session at Keycloak (its cookies) nor in the page (sessionStorage of the node's origin). */
  @BeforeEach
  void signedOut() {
    browser.executeCdpCommand("Network.clearBrowserCookies", Map.of());
    browser.get(node.baseUrl() + "/assets/app.css");
    ui.js("sessionStorage.clear()");
  }

  private void signInAtKeycloak(String user, String password) {
    browser.get(node.baseUrl() + "/");
    WebElement username = new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
    assertTrue(browser.getCurrentUrl().startsWith(keycloak.issuer(REALM) + "/protocol/openid-connect/auth?"), browser.getCurrentUrl());
    assertTrue(browser.getCurrentUrl().contains("code_challenge_method=S256"), browser.getCurrentUrl());
    username.sendKeys(user);
    browser.findElement(By.id("password")).sendKeys(password);
    browser.findElement(By.id("kc-login")).click();
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("who")));
  }

  @Test
  void anAdminSignsInAtKeycloakSeesTheCamerasAndSignsOutThere() {
    signInAtKeycloak("adam", "adam-password");
    assertEquals("adam (admin)", browser.findElement(By.id("who")).getText());
    assertEquals(node.baseUrl() + "/", browser.getCurrentUrl(), "the code and state left the address bar");
    ui.awaitRow("Seen after OIDC sign-in");
    assertTrue(browser.findElement(By.id("add-camera")).isDisplayed(), "an admin may add cameras");
    String token = (String) ui.js("return sessionStorage.getItem('gtv.token')");
    assertEquals(3, token.split("\\.").length, "the API's bearer token is the provider's access token (a JWT)");

    ui.click(By.id("signout"));
    new WebDriverWait(browser, WAIT).until(d -> d.getCurrentUrl().startsWith(node.baseUrl())
        && !d.findElements(By.id("signin-error")).isEmpty() && d.findElement(By.id("signin-error")).getText().equals("You signed out."));
    assertNull(ui.js("return sessionStorage.getItem('gtv.token')"));
    // Signed out at Keycloak too: signing in again asks for the password.
    ui.click(By.id("signin-provider"));
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("kc-login")));
  }

  @Test
  void aViewerFromKeycloakIsOfferedNoAdminControls() {
    signInAtKeycloak("alice", "alice-password");
    assertEquals("alice (viewer)", browser.findElement(By.id("who")).getText());
    WebElement row = ui.awaitRow("Seen after OIDC sign-in");
    assertTrue(browser.findElements(By.id("add-camera")).isEmpty(), "no add button");
    for (String control : List.of("button.edit", "button.remove", "button.enable", "button.disable")) {
      assertTrue(browser.findElements(By.cssSelector(control)).isEmpty(), "no " + control);
    }
    assertTrue(row.findElements(By.tagName("button")).isEmpty());
  }

  @Test
  void anAnswerWhoseStateDoesNotMatchIsRefusedWithAClearMessage() {
    // A sign-in under way (its state kept in the tab), then an answer with another state: forged or stale.
    browser.get(node.baseUrl() + "/");
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("kc-login")));
    browser.get(node.baseUrl() + "/?code=forged-code&state=forged-state");
    WebElement error = new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-error")));
    new WebDriverWait(browser, WAIT).until(d -> !error.getText().isBlank());
    assertTrue(error.getText().contains("state does not match"), error.getText());
    assertEquals(node.baseUrl() + "/", browser.getCurrentUrl(), "the refused answer left the address bar");
    assertNull(ui.js("return sessionStorage.getItem('gtv.token')"));
    assertTrue(browser.findElements(By.id("who")).isEmpty(), "not signed in");

    // Without any sign-in under way (the tab's flow is gone, as after it expired), the same.
    ui.js("sessionStorage.clear()");
    browser.get(node.baseUrl() + "/?code=old-code&state=old-state");
    new WebDriverWait(browser, WAIT).until(d -> d.findElement(By.id("signin-error")).getText().contains("state does not match"));
  }

  @Test
  void theAccessTokenIsRenewedBeforeItExpiresAndAReloadKeepsTheSession() {
    signInAtKeycloak("adam", "adam-password");
    String first = (String) ui.js("return sessionStorage.getItem('gtv.token')");
    // 12 s tokens are renewed 3 s before they expire.
    String renewed = new WebDriverWait(browser, WAIT).until(d -> {
      String now = (String) ui.js("return sessionStorage.getItem('gtv.token')");
      return now != null && !now.equals(first) ? now : null;
    });
    assertEquals(200, ui.call("GET", "/api/auth/me", null, renewed).statusCode(), "the renewed token is the node's bearer token");
    browser.navigate().refresh();
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("who")));
    assertEquals("adam (admin)", browser.findElement(By.id("who")).getText());
    assertTrue(browser.getCurrentUrl().startsWith(node.baseUrl()), "no new sign-in at Keycloak: " + browser.getCurrentUrl());
    ui.awaitRow("Seen after OIDC sign-in");
  }
}
