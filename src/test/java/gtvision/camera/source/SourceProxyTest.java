package gtvision.camera.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The camera source proxy as FFmpeg uses it, spoken to over real sockets: requests need a session's
 * credentials, every target passes the source policy and is connected at the checked address, refusals
 * are 403 with the reason kept in the session.
 */
class SourceProxyTest {
  private static final String LEAK = "LEAKED-SECRET";
  /** Allowed: 127.0.0.1 only. 127.0.0.2 (also loopback, so a real server can listen there) is not. */
  private static final String ALLOWED = "127.0.0.1/32";

  private SimpleMeterRegistry registry;
  private final List<Map<String, String>> allowedRequests = new CopyOnWriteArrayList<>();
  private final AtomicInteger forbiddenRequests = new AtomicInteger();
  private final AtomicInteger flipLookups = new AtomicInteger();
  private HttpServer allowed;
  private HttpServer forbidden;
  private SourceProxy proxy;

  @BeforeEach
  void start() throws IOException {
    allowed = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    allowed.createContext("/", ex -> {
      Map<String, String> seen = new ConcurrentHashMap<>();
      seen.put("uri", ex.getRequestURI().toString());
      ex.getRequestHeaders().forEach((name, values) -> seen.put(name.toLowerCase(), String.join(",", values)));
      allowedRequests.add(seen);
      send(ex, 200, ("segment bytes for " + ex.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8));
    });
    allowed.start();
    // The same port on another loopback address: a name that re-resolves there would reach it.
    forbidden = HttpServer.create(new InetSocketAddress("127.0.0.2", allowed.getAddress().getPort()), 0);
    forbidden.createContext("/", ex -> {
      forbiddenRequests.incrementAndGet();
      send(ex, 200, LEAK.getBytes(StandardCharsets.UTF_8));
    });
    forbidden.start();
    proxy = start(settings(8, Duration.ofSeconds(5)));
  }

  private SourceProxy start(SourceProxy.Settings settings) {
    SourcePolicy policy = new SourcePolicy(AllowedNetworks.parse(ALLOWED), false, Set.of(18080), this::resolve);
    // Meters of this proxy only (a node has one proxy per registry).
    registry = new SimpleMeterRegistry();
    return SourceProxy.start(policy, settings, registry);
  }

  private static SourceProxy.Settings settings(int maxConnections, Duration idle) {
    return new SourceProxy.Settings(maxConnections, Duration.ofSeconds(2), idle, 32 * 1024);
  }

  @AfterEach
  void stop() {
    if (proxy != null) proxy.close();
    allowed.stop(0);
    forbidden.stop(0);
  }

  /** "flip.cams.test" answers the allowed address first and the forbidden one ever after (DNS rebinding). */
  private InetAddress[] resolve(String host) throws UnknownHostException {
    if (host.equals("flip.cams.test")) {
      String ip = flipLookups.incrementAndGet() == 1 ? "127.0.0.1" : "127.0.0.2";
      return new InetAddress[] {InetAddress.getByName(ip)};
    }
    if (host.equals("camera.cams.test")) return new InetAddress[] {InetAddress.getByName("127.0.0.1")};
    if (host.endsWith(".test")) throw new UnknownHostException(host);
    return InetAddress.getAllByName(host);
  }

  private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.getResponseHeaders().add("Content-Type", "video/mp2t");
    ex.getResponseHeaders().add("Connection", "keep-alive");
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private int port() {
    return allowed.getAddress().getPort();
  }

  private static String credentials(ProxySession session) {
    URI proxyUrl = URI.create(session.proxyUrl());
    return "Proxy-Authorization: Basic "
        + Base64.getEncoder().encodeToString(proxyUrl.getRawUserInfo().getBytes(StandardCharsets.UTF_8)) + "\r\n";
  }

  /** Sends {@code request} to the proxy and reads until it closes the connection. */
  private String exchange(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  private double count(String outcome) {
    return registry.get("gtv.source.proxy.requests").tag("outcome", outcome).counter().count();
  }

  @Test
  void aRequestIsForwardedToTheCheckedAddressWithTheTargetsHostAndOneRequestPerConnection() throws Exception {
    try (ProxySession session = proxy.open(URI.create("http://camera.cams.test:" + port() + "/live/index.m3u8"))) {
      String response = exchange("GET http://camera.cams.test:" + port() + "/live/seg1.ts?x=1 HTTP/1.1\r\n"
          + "Host: somewhere.else\r\n" + credentials(session) + "Proxy-Connection: keep-alive\r\nUser-Agent: Lavf\r\n\r\n");
      assertTrue(response.startsWith("HTTP/1.1 200"), response);
      assertTrue(response.contains("\r\nConnection: close\r\n"), response);
      assertFalse(response.toLowerCase().contains("keep-alive"), "the camera's keep-alive is not passed on: " + response);
      assertTrue(response.endsWith("segment bytes for /live/seg1.ts"), response);
      Map<String, String> seen = allowedRequests.get(0);
      assertEquals("/live/seg1.ts?x=1", seen.get("uri"), "origin-form request line");
      assertEquals("camera.cams.test:" + port(), seen.get("host"));
      assertEquals("close", seen.get("connection"));
      assertEquals("Lavf", seen.get("user-agent"));
      assertNull(seen.get("proxy-authorization"), "the session's secret stays with the proxy");
      assertNull(seen.get("proxy-connection"));
      assertTrue(session.refusal().isEmpty());
      assertEquals(1.0, count("forwarded"));
    }
  }

  @Test
  void withoutASessionsCredentialsTheAnswerIs407AndNothingIsConnected() throws Exception {
    String none = exchange("GET http://127.0.0.1:" + port() + "/seg.ts HTTP/1.1\r\nHost: x\r\n\r\n");
    assertTrue(none.startsWith("HTTP/1.1 407 "), none);
    assertTrue(none.contains("\r\nProxy-Authenticate: Basic realm=\"gtv-source-proxy\"\r\n"), none);
    String wrong = exchange("CONNECT 127.0.0.1:" + port() + " HTTP/1.1\r\nProxy-Authorization: Basic "
        + Base64.getEncoder().encodeToString("gtv:guessed".getBytes(StandardCharsets.UTF_8)) + "\r\n\r\n");
    assertTrue(wrong.startsWith("HTTP/1.1 407 "), wrong);
    ProxySession closed = proxy.open(URI.create("http://127.0.0.1:" + port() + "/index.m3u8"));
    String header = credentials(closed);
    closed.close();
    String afterClose = exchange("GET http://127.0.0.1:" + port() + "/seg.ts HTTP/1.1\r\n" + header + "\r\n");
    assertTrue(afterClose.startsWith("HTTP/1.1 407 "), "a closed session's credentials no longer work: " + afterClose);
    assertTrue(allowedRequests.isEmpty());
    assertEquals(1.0, count("challenged"), "FFmpeg's first, credential-less try");
    assertEquals(2.0, count("rejected"), "a guessed and a closed session's credentials");
  }

  @Test
  void aConnectToAMetadataAddressIsRefusedWithTheReasonInTheSession() throws Exception {
    try (ProxySession session = proxy.open(URI.create("https://camera.cams.test/index.m3u8"))) {
      String response = exchange("CONNECT 169.254.169.254:443 HTTP/1.1\r\nHost: 169.254.169.254:443\r\n" + credentials(session) + "\r\n");
      assertTrue(response.startsWith("HTTP/1.1 403 "), response);
      assertEquals("HLS segment host '169.254.169.254' is refused: a cloud metadata address", session.refusal().orElseThrow());
      assertTrue(response.contains("a cloud metadata address"), response);
      assertEquals(1.0, count("refused"));
      // NAT64 of the same address: refused as what it reaches.
      try (ProxySession other = proxy.open(URI.create("https://camera.cams.test/index.m3u8"))) {
        exchange("CONNECT [64:ff9b::a9fe:a9fe]:443 HTTP/1.1\r\n" + credentials(other) + "\r\n");
        assertTrue(other.refusal().orElseThrow().endsWith("is refused: a cloud metadata address"), other.refusal().get());
      }
    }
  }

  @Test
  void requestsToTheNodesOwnPortsAndToTheProxyItselfAreRefused() throws Exception {
    try (ProxySession session = proxy.open(URI.create("http://127.0.0.1:" + port() + "/index.m3u8"))) {
      String response = exchange("GET http://127.0.0.1:18080/api/cameras HTTP/1.1\r\n" + credentials(session) + "\r\n");
      assertTrue(response.startsWith("HTTP/1.1 403 "), response);
      assertEquals("HLS segment host '127.0.0.1' is refused: this node's own port 18080", session.refusal().orElseThrow());
    }
    try (ProxySession session = proxy.open(URI.create("http://127.0.0.1:" + port() + "/index.m3u8"))) {
      String response = exchange("CONNECT 127.0.0.1:" + proxy.port() + " HTTP/1.1\r\n" + credentials(session) + "\r\n");
      assertTrue(response.startsWith("HTTP/1.1 403 "), response);
      assertEquals("HLS segment host '127.0.0.1' is refused: this node's own port " + proxy.port(), session.refusal().orElseThrow());
    }
  }

  @Test
  void aHostOutsideTheAllowedNetworksIsRefusedAndNeverContacted() throws Exception {
    try (ProxySession session = proxy.open(URI.create("http://127.0.0.1:" + port() + "/index.m3u8"))) {
      String response = exchange("GET http://127.0.0.2:" + port() + "/seg0.ts HTTP/1.1\r\n" + credentials(session) + "\r\n");
      assertTrue(response.startsWith("HTTP/1.1 403 "), response);
      assertFalse(response.contains(LEAK));
      assertEquals("HLS segment host '127.0.0.2' is refused: not in gtv.camera.allowed-networks", session.refusal().orElseThrow());
      // The refusal sticks: the session's next request, even to the allowed camera, is refused too.
      String next = exchange("GET http://127.0.0.1:" + port() + "/index.m3u8 HTTP/1.1\r\n" + credentials(session) + "\r\n");
      assertTrue(next.startsWith("HTTP/1.1 403 "), next);
      assertEquals(0, forbiddenRequests.get());
      assertTrue(allowedRequests.isEmpty());
    }
  }

  @Test
  void aNameIsResolvedOnceAndConnectedWhereItWasCheckedNeverWhereItResolvesNext() throws Exception {
    try (ProxySession session = proxy.open(URI.create("http://flip.cams.test:" + port() + "/index.m3u8"))) {
      String response = exchange("GET http://flip.cams.test:" + port() + "/index.m3u8 HTTP/1.1\r\n" + credentials(session) + "\r\n");
      assertTrue(response.startsWith("HTTP/1.1 200"), response);
      assertEquals(1, flipLookups.get(), "one resolution, for the check; the connect used its answer");
      assertEquals(1, allowedRequests.size());
      assertEquals("flip.cams.test:" + port(), allowedRequests.get(0).get("host"));
      // The name now resolves to the forbidden address: the next request is checked again and refused.
      String next = exchange("GET http://flip.cams.test:" + port() + "/seg0.ts HTTP/1.1\r\n" + credentials(session) + "\r\n");
      assertTrue(next.startsWith("HTTP/1.1 403 "), next);
      assertEquals("HLS segment host 'flip.cams.test' (127.0.0.2) is refused: not in gtv.camera.allowed-networks",
          session.refusal().orElseThrow());
      assertEquals(0, forbiddenRequests.get(), "never connected to the second answer");
    }
  }

  @Test
  void aConnectTunnelRelaysBothWaysToTheCheckedAddress() throws Exception {
    try (ProxySession session = proxy.open(URI.create("https://camera.cams.test:" + port() + "/index.m3u8"));
        Socket socket = new Socket("127.0.0.1", proxy.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(("CONNECT camera.cams.test:" + port() + " HTTP/1.1\r\nHost: camera.cams.test:" + port() + "\r\n"
          + credentials(session) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      assertEquals("HTTP/1.1 200 Connection established", readLine(in));
      assertEquals("", readLine(in));
      // Through the tunnel the client speaks to the camera itself (TLS in real use; plain HTTP here).
      out.write("GET /tunnelled.ts HTTP/1.1\r\nHost: camera.cams.test\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      assertTrue(response.startsWith("HTTP/1.1 200"), response);
      assertTrue(response.endsWith("segment bytes for /tunnelled.ts"), response);
      assertEquals(1.0, count("tunnelled"));
    }
  }

  @Test
  void anUnreachableTargetIs502AndTheSessionSaysWhyWithoutBeingRefused() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closedPort = s.getLocalPort();
    }
    try (ProxySession session = proxy.open(URI.create("http://127.0.0.1:" + closedPort + "/index.m3u8"))) {
      String response = exchange("GET http://127.0.0.1:" + closedPort + "/index.m3u8 HTTP/1.1\r\n" + credentials(session) + "\r\n");
      assertTrue(response.startsWith("HTTP/1.1 502 "), response);
      assertEquals("HLS playlist host '127.0.0.1': connection refused", session.failure().orElseThrow());
      assertTrue(session.refusal().isEmpty());
      // The next request that reaches its host clears the failure.
      exchange("GET http://127.0.0.1:" + port() + "/seg.ts HTTP/1.1\r\n" + credentials(session) + "\r\n");
      assertTrue(session.failure().isEmpty());
    }
  }

  @Test
  void badRequestsGetAClearAnswer() throws Exception {
    try (ProxySession session = proxy.open(URI.create("http://127.0.0.1:" + port() + "/index.m3u8"))) {
      String auth = credentials(session);
      assertTrue(exchange("NONSENSE\r\n\r\n").startsWith("HTTP/1.1 400 "));
      assertTrue(exchange("POST http://127.0.0.1:" + port() + "/x HTTP/1.1\r\n" + auth + "Content-Length: 0\r\n\r\n")
          .startsWith("HTTP/1.1 405 "));
      String https = exchange("GET https://127.0.0.1:" + port() + "/x HTTP/1.1\r\n" + auth + "\r\n");
      assertTrue(https.startsWith("HTTP/1.1 400 ") && https.contains("https through CONNECT"), https);
      assertTrue(exchange("GET http://127.0.0.1:" + port() + "/x HTTP/1.1\r\n" + auth + "Content-Length: 5\r\n\r\nhello")
          .startsWith("HTTP/1.1 400 "));
      assertTrue(exchange("CONNECT 127.0.0.1 HTTP/1.1\r\n" + auth + "\r\n").startsWith("HTTP/1.1 400 "), "no port");
      String huge = exchange("GET http://127.0.0.1:" + port() + "/x HTTP/1.1\r\nX-Big: " + "a".repeat(40_000) + "\r\n\r\n");
      assertTrue(huge.startsWith("HTTP/1.1 400 ") && huge.contains("head larger than"), huge.substring(0, Math.min(200, huge.length())));
      assertTrue(session.refusal().isEmpty(), "a bad request is no policy refusal");
      assertTrue(allowedRequests.isEmpty());
    }
  }

  @Test
  void connectionsBeyondTheCapAre503() throws Exception {
    proxy.close();
    proxy = start(settings(1, Duration.ofSeconds(10)));
    try (Socket holder = new Socket("127.0.0.1", proxy.port())) {
      // The first connection takes the only slot: it is being served (its head not sent yet).
      awaitGauge(1);
      String second = exchange("GET http://127.0.0.1:" + port() + "/x HTTP/1.1\r\n\r\n");
      assertTrue(second.startsWith("HTTP/1.1 503 ") && second.contains("max-connections"), second);
    }
    awaitGauge(0);
  }

  @Test
  void aSilentConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    proxy.close();
    proxy = start(settings(4, Duration.ofMillis(300)));
    try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
      socket.setSoTimeout(10_000);
      assertEquals(-1, socket.getInputStream().read(), "closed by the proxy, not by this read's timeout");
    }
  }

  @Test
  void closingTheProxyCutsItsConnectionsAndStopsAccepting() throws Exception {
    Socket socket = new Socket("127.0.0.1", proxy.port());
    awaitGauge(1);
    int port = proxy.port();
    proxy.close();
    socket.setSoTimeout(10_000);
    assertEquals(-1, socket.getInputStream().read());
    socket.close();
    assertTrue(refusesWithin(port, Duration.ofSeconds(5)), "the closed proxy still accepts on " + port);
    proxy = null;
  }

  /**
   * A connect to {@code port} is refused within {@code timeout}. Polled: a connect to a port of the
   * ephemeral range that nothing listens on can, rarely, pick that very port as its own and connect to
   * itself (TCP simultaneous open); the next attempt is refused.
   */
  private static boolean refusesWithin(int port, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        Thread.sleep(50);
      } catch (IOException refused) {
        return true;
      }
    }
    return false;
  }

  private void awaitGauge(double expected) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (registry.get("gtv.source.proxy.connections").gauge().value() != expected) {
      if (System.nanoTime() > deadline) throw new AssertionError("open connections never became " + expected);
      Thread.sleep(20);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) throw new IOException("ended mid-line: " + line);
      if (b != '\r') line.write(b);
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }
}
