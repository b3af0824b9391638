package gtvision.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import gtvision.testsupport.MediaTools;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rate limits per principal and per address, trusted proxies, and the live feed's tickets, origins and caps. */
class RequestLimitsTest {
  private static final int API_PER_MINUTE = 20;
  private static final int LOGIN_PER_MINUTE = 5;
  private static final int WS_PER_CLIENT = 3;
  @TempDir static Path dir;
  private static TestNodes.Node node;
  private static AuthClient client;
  private static String admin;

  @BeforeAll
  static void start() {
    node = TestNodes.start(TestDatabases.h2(dir), ConfigFactory.parseString(String.join("\n",
        "gtv.data-dir = \"" + dir.toString().replace("\\", "/") + "\"",
        "gtv.auth.mode = builtin",
        "gtv.auth.admin-password = \"limits-admin-password\"",
        "gtv.auth.password-iterations = 1000",
        "gtv.http.rate-limits.enabled = on",
        "gtv.http.rate-limits.api = " + API_PER_MINUTE,
        "gtv.http.rate-limits.login = " + LOGIN_PER_MINUTE,
        "gtv.http.rate-limits.admin = 1000",
        // The test's requests come from 127.0.0.1: as if through our proxy, each X-Forwarded-For is a client.
        "gtv.http.trusted-proxies = \"127.0.0.1/32\"",
        "gtv.http.websocket.max-per-client = " + WS_PER_CLIENT,
        "gtv.http.websocket.allowed-origins = \"https://vision.example.com\"")));
    client = new AuthClient(node.baseUrl());
    admin = awaitAdmin();
    for (String user : List.of("ana", "bia", "caio", "dora")) {
      assertEquals(201, client.call("POST", "/api/auth/users",
          "{\"username\": \"" + user + "\", \"password\": \"password-of-" + user + "\", \"role\": \"viewer\"}", admin).statusCode());
    }
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  private static String awaitAdmin() {
    for (int i = 0; i < 150; i++) {
      HttpResponse<String> r = client.call("POST", "/api/auth/login",
          "{\"username\": \"admin\", \"password\": \"limits-admin-password\"}", Optional.empty(), Map.of("X-Forwarded-For", "192.0.2.1"));
      if (r.statusCode() == 200) return AuthClient.json(r).get("token").asText();
      MediaTools.sleep(200);
    }
    throw new AssertionError("the first admin never appeared");
  }

  private static String login(String user, String address) {
    HttpResponse<String> r = client.call("POST", "/api/auth/login",
        "{\"username\": \"" + user + "\", \"password\": \"password-of-" + user + "\"}", Optional.empty(), Map.of("X-Forwarded-For", address));
    assertEquals(200, r.statusCode(), r.body());
    return AuthClient.json(r).get("token").asText();
  }

  @Test
  void eachPrincipalHasItsOwnApiBudgetWith429AndRetryAfterBeyondIt() {
    // dora calls nothing else in this class: her whole budget is for this test.
    String dora = login("dora", "192.0.2.10");
    String bia = login("bia", "192.0.2.10");
    int ok = 0;
    HttpResponse<String> last = null;
    for (int i = 0; i < API_PER_MINUTE + 5; i++) {
      last = client.call("GET", "/api/cameras", null, dora);
      if (last.statusCode() == 200) ok++;
    }
    assertEquals(429, last.statusCode(), last.body());
    assertTrue(ok >= API_PER_MINUTE - 1 && ok <= API_PER_MINUTE + 1, "allowed " + ok);
    long retryAfter = Long.parseLong(last.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
    assertTrue(AuthClient.json(last).get("error").asText().contains("api requests per minute"), last.body());
    // Same address, another principal: its own budget.
    assertEquals(200, client.call("GET", "/api/cameras", null, bia).statusCode());
  }

  @Test
  void loginAttemptsAreLimitedPerClientAddressBehindATrustedProxy() {
    int refused = 0;
    for (int i = 0; i < LOGIN_PER_MINUTE + 3; i++) {
      HttpResponse<String> r = client.call("POST", "/api/auth/login", "{\"username\": \"ana\", \"password\": \"guess-" + i + "\"}",
          Optional.empty(), Map.of("X-Forwarded-For", "198.51.100.66"));
      if (r.statusCode() == 429) refused++;
      else assertEquals(401, r.statusCode(), r.body());
    }
    assertTrue(refused >= 2, "refused " + refused);
    // Another client (as the proxy reports it) still logs in.
    login("ana", "198.51.100.67");
  }

  @Test
  void theLiveFeedTakesAOneTimeTicketFromABrowser() throws Exception {
    String caio = login("caio", "192.0.2.30");
    String ticket = AuthClient.json(client.call("POST", "/api/auth/ticket", null, caio)).get("ticket").asText();
    WebSocket socket = open("?ticket=" + ticket, Map.of("Origin", "https://vision.example.com"));
    socket.abort();
    assertEquals(401, refusal("?ticket=" + ticket, Map.of()), "a ticket is good for one connection");
    assertEquals(401, refusal("", Map.of()));
    assertEquals(401, refusal("?ticket=forged", Map.of()));
  }

  @Test
  void theLiveFeedRefusesForeignOriginsAndCapsConnectionsPerClient() throws Exception {
    String ana = login("ana", "192.0.2.40");
    Map<String, String> bearer = Map.of("Authorization", "Bearer " + ana);
    assertEquals(403, refusal("", Map.of("Authorization", "Bearer " + ana, "Origin", "https://evil.example.net")));
    List<WebSocket> open = new ArrayList<>();
    for (int i = 0; i < WS_PER_CLIENT; i++) open.add(open("", bearer));
    assertEquals(429, refusal("", bearer));
    // Another principal is not affected, and a closed connection gives its slot back.
    String bia = login("bia", "192.0.2.40");
    open("", Map.of("Authorization", "Bearer " + bia)).abort();
    open.remove(0).abort();
    WebSocket again = null;
    for (int i = 0; i < 50 && again == null; i++) {
      try {
        again = open("", bearer);
      } catch (CompletionException e) {
        MediaTools.sleep(100);
      }
    }
    assertTrue(again != null, "a slot came back after a connection closed");
    again.abort();
    open.forEach(WebSocket::abort);
  }

  @Test
  void anUntrustedPeersForwardedForIsIgnored() {
    TrustedProxies none = new TrustedProxies(List.of());
    TrustedProxies proxy = new TrustedProxies(List.of("10.0.0.0/8", "fd00::/8"));
    java.net.InetAddress peer = address("10.1.2.3");
    java.net.InetAddress stranger = address("203.0.113.5");
    assertEquals("10.1.2.3", none.client(Optional.of(peer), Optional.of("192.0.2.99")));
    assertEquals("192.0.2.99", proxy.client(Optional.of(peer), Optional.of("192.0.2.99")));
    assertEquals("192.0.2.98", proxy.client(Optional.of(peer), Optional.of("1.1.1.1, 192.0.2.98")));
    assertEquals("192.0.2.97", proxy.client(Optional.of(peer), Optional.of("6.6.6.6, 192.0.2.97, 10.9.9.9")),
        "hops our own proxies added are skipped; what the client wrote left of its address is not believed");
    assertEquals("203.0.113.5", proxy.client(Optional.of(stranger), Optional.of("192.0.2.99")));
    assertEquals("192.0.2.7", proxy.client(Optional.of(address("fd00::1")), Optional.of("192.0.2.7")));
  }

  private static java.net.InetAddress address(String literal) {
    try {
      return java.net.InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static WebSocket open(String query, Map<String, String> headers) {
    WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
    headers.forEach(b::header);
    return b.buildAsync(URI.create("ws://127.0.0.1:" + node.httpPort() + "/api/live" + query), new WebSocket.Listener() {})
        .orTimeout(15, TimeUnit.SECONDS).join();
  }

  /** The HTTP status of a refused WebSocket handshake. */
  private static int refusal(String query, Map<String, String> headers) {
    try {
      open(query, headers).abort();
      return 101;
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException h) return h.getResponse().statusCode();
      throw e;
    }
  }
}
