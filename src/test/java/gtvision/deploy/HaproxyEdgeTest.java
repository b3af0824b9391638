package gtvision.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import gtvision.testsupport.LiveFeedClient;
import gtvision.testsupport.LiveFeedTopics;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestNodes;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * haproxy/haproxy.cfg run by the real haproxy in front of a small HTTP backend standing in for the
 * API pods: what the edge refuses, limits, rewrites and encrypts; and in front of a real node, the
 * live feed's WebSocket. Each test gets its own proxy, so the per-address rate counters of one test
 * do not spill into another.
 */
class HaproxyEdgeTest {

    /** What the backend saw: the request line's path and the forwarding headers. */
    record Seen(String method, String rawPath, String forwardedFor, String forwardedProto) {
    }

    @TempDir
    Path work;

    private HttpServer backend;
    private ExecutorService backendThreads;
    private final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    private Path certificate;
    private HaproxyProcess proxy;
    private HttpClient client;

    @BeforeEach
    void start() throws Exception {
        Assumptions.assumeTrue(HaproxyProcess.binary().isPresent(), "haproxy not installed");
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        backendThreads = Executors.newFixedThreadPool(4);
        backend.setExecutor(backendThreads);
        backend.createContext("/", exchange -> {
            var h = exchange.getRequestHeaders();
            if (!exchange.getRequestURI().getRawPath().equals("/health")) {
                seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                        h.getFirst("X-Forwarded-For"), h.getFirst("X-Forwarded-Proto")));
            }
            exchange.getRequestBody().readAllBytes();
            byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        backend.start();
        certificate = HaproxyProcess.selfSignedCertificate(work, "tls");
        proxy = HaproxyProcess.start(work, backend.getAddress().getPort(), certificate);
        client = HttpClient.newBuilder().sslContext(HaproxyProcess.trusting(certificate))
                .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (backend != null) {
            backend.stop(0);
            backendThreads.shutdownNow();
        }
    }

    private HttpResponse<String> send(String method, URI uri) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
        request.method(method, method.equals("GET") || method.equals("DELETE")
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}"));
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String rawPath) throws Exception {
        return send("GET", proxy.https(rawPath));
    }

    @Test
    void metricsAndTheMediaMtxCallbackAreRefusedInEverySpelling() throws Exception {
        List<String> spellings = new ArrayList<>();
        for (String p : List.of("/metrics", "/api/auth/mediamtx")) {
            String last = p.substring(p.lastIndexOf('/') + 1);
            String parent = p.substring(0, p.lastIndexOf('/'));
            spellings.addAll(List.of(p, p + "/", p + "?format=text", p + ";jsessionid=1", "/" + p, "/." + p,
                    "/api/.." + p, "/api/%2e%2e" + p, "/api/%2E%2E" + p, p.toUpperCase(), parent + "/" + Character.toUpperCase(last.charAt(0)) + last.substring(1),
                    parent + "/%" + Integer.toHexString(last.charAt(0)) + last.substring(1),
                    parent + "/%" + Integer.toHexString(last.charAt(0)).toUpperCase() + last.substring(1),
                    parent + "//" + last, parent + "/./" + last, parent + "/x/../" + last + "/"));
        }
        spellings.addAll(List.of("/%61pi/auth/mediamtx", "/api/%61uth/mediamtx", "/%6D%65%74%72%69%63%73",
                "/api;x=1/auth/mediamtx", "/api/auth;x=1/mediamtx", "/api/auth/mediamtx;"));
        for (String rawPath : spellings) {
            for (String method : List.of("GET", "POST")) {
                HttpResponse<String> answer = send(method, proxy.https(rawPath));
                assertEquals(403, answer.statusCode(), method + " " + rawPath + " must be refused at the edge");
            }
            assertEquals(403, send("GET", proxy.http(rawPath)).statusCode(), "plain http " + rawPath);
        }
        assertTrue(seen.isEmpty(), "nothing reached the backend: " + seen);
    }

    @Test
    void pathsThatHideASegmentBehindAnEncodedSlashAreRefused() throws Exception {
        for (String rawPath : List.of("/api%2fmetrics", "/api%2Fauth%2Fmediamtx", "/api/x%5c..%5cmetrics", "/metrics%00")) {
            assertEquals(400, get(rawPath).statusCode(), rawPath);
        }
        // An invalid escape: no URI class sends one, so it goes over a plain socket to :80, where the
        // same rules run before the redirect.
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", proxy.httpPort)) {
            socket.getOutputStream().write("GET /api/%zz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String status = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).lines().findFirst().orElse("");
            assertTrue(status.startsWith("HTTP/1.1 400"), "invalid percent-escape: " + status);
        }
        assertTrue(seen.isEmpty(), "nothing reached the backend: " + seen);
    }

    @Test
    void ordinaryRequestsReachTheNodeNormalised() throws Exception {
        HttpResponse<String> answer = get("/%61pi//cameras/./cam-1");
        assertEquals(200, answer.statusCode());
        assertEquals("/api/cameras/cam-1", seen.poll(5, TimeUnit.SECONDS).rawPath(), "the node sees the path the rules saw");
        assertEquals(200, get("/").statusCode(), "the dashboard");
        assertEquals("/", seen.poll(5, TimeUnit.SECONDS).rawPath());
        assertEquals(200, get("/health").statusCode(), "/health stays open for load balancers");
    }

    @Test
    void forwardedForIsSetToThePeerAndNeverTakenFromTheClient() throws Exception {
        HttpRequest forged = HttpRequest.newBuilder(proxy.https("/api/cameras"))
                .header("X-Forwarded-For", "203.0.113.9").header("X-Forwarded-Proto", "http").build();
        assertEquals(200, client.send(forged, HttpResponse.BodyHandlers.ofString()).statusCode());
        Seen request = seen.poll(5, TimeUnit.SECONDS);
        assertEquals("127.0.0.1", request.forwardedFor(), "replaced, not appended");
        assertEquals("https", request.forwardedProto());
    }

    @Test
    void plainHttpIsRedirectedToHttpsAndHttpsCarriesHsts() throws Exception {
        HttpResponse<String> redirect = send("GET", proxy.http("/api/cameras?camera=cam-1"));
        assertEquals(301, redirect.statusCode());
        assertEquals("https://localhost:" + proxy.httpPort + "/api/cameras?camera=cam-1",
                redirect.headers().firstValue("Location").orElse(""), "same host and path, https scheme");
        assertTrue(seen.isEmpty(), "plain http never reaches the node");
        HttpResponse<String> secure = get("/api/cameras");
        assertEquals(200, secure.statusCode());
        assertTrue(secure.headers().firstValue("Strict-Transport-Security").orElse("").startsWith("max-age="),
                "HSTS: " + secure.headers().map());
    }

    @Test
    void tlsUsesTheMountedCertificateAndRefusesOldProtocols() throws Exception {
        // The client trusts only the generated certificate: a handshake proves HAProxy serves it.
        assertEquals(200, get("/api/cameras").statusCode());
        Path other = work.resolve("other");
        java.nio.file.Files.createDirectories(other);
        HttpClient stranger = HttpClient.newBuilder()
                .sslContext(HaproxyProcess.trusting(HaproxyProcess.selfSignedCertificate(other, "tls"))).build();
        try {
            stranger.send(HttpRequest.newBuilder(proxy.https("/api/cameras")).build(), HttpResponse.BodyHandlers.ofString());
            throw new AssertionError("a client trusting another certificate connected");
        } catch (SSLHandshakeException expected) {
            // HAProxy presented the mounted certificate, not something else
        }
        javax.net.ssl.SSLParameters tls11 = new javax.net.ssl.SSLParameters();
        tls11.setProtocols(new String[] {"TLSv1.1"});
        HttpClient old = HttpClient.newBuilder().sslContext(HaproxyProcess.trusting(certificate)).sslParameters(tls11).build();
        try {
            old.send(HttpRequest.newBuilder(proxy.https("/api/cameras")).build(), HttpResponse.BodyHandlers.ofString());
            throw new AssertionError("TLS 1.1 accepted");
        } catch (java.io.IOException expected) {
            // refused: ssl-min-ver TLSv1.2 (or the JDK's own floor)
        }
    }

    @Test
    void apiClassAllowsOneHundredRequestsAMinutePerAddress() throws Exception {
        assertEquals(100, burst("GET", "/api/cameras", 100), "the first 100 pass");
        HttpResponse<String> refused = get("/%61pi/cameras");
        assertEquals(429, refused.statusCode(), "an escaped /api is the same class");
        assertEquals("60", refused.headers().firstValue("Retry-After").orElse(""));
        assertTrue(refused.body().contains("\"error\""), "the API's error body: " + refused.body());
        assertEquals(200, send("POST", proxy.https("/api/ingest/detections")).statusCode(), "ingest has its own budget");
        assertEquals(200, send("POST", proxy.https("/api/cameras")).statusCode(), "admin has its own budget");
    }

    @Test
    void adminClassAllowsThirtyCameraAndUserChangesAMinute() throws Exception {
        List<Map.Entry<String, String>> admin = List.of(Map.entry("POST", "/api/cameras"), Map.entry("PUT", "/api/cameras/cam-1"),
                Map.entry("DELETE", "/api/cameras/cam-1"), Map.entry("POST", "/api/auth/keys"), Map.entry("GET", "/api/auth/users"),
                Map.entry("DELETE", "/api/auth/keys/k1"));
        for (int i = 0; i < 30; i++) {
            var call = admin.get(i % admin.size());
            assertEquals(200, send(call.getKey(), proxy.https(call.getValue())).statusCode(), "admin request " + (i + 1));
        }
        for (var call : admin) {
            HttpResponse<String> refused = send(call.getKey(), proxy.https(call.getValue().replace("/api/", "/%61pi/")));
            assertEquals(429, refused.statusCode(), call.toString());
            assertEquals("60", refused.headers().firstValue("Retry-After").orElse(""));
        }
        assertEquals(200, get("/api/cameras").statusCode(), "reading cameras is the API class");
        assertEquals(200, send("POST", proxy.https("/api/cameras/cam-1/enable")).statusCode(), "enable is an operator action, API class");
    }

    @Test
    void ingestClassAllowsOneThousandRequestsAMinute() throws Exception {
        assertEquals(1000, burst("POST", "/api/ingest/detections", 1000));
        HttpResponse<String> refused = send("POST", proxy.https("/api//ingest/detections"));
        assertEquals(429, refused.statusCode());
        assertEquals("60", refused.headers().firstValue("Retry-After").orElse(""));
        assertEquals(200, get("/api/cameras").statusCode(), "the API budget is untouched");
    }

    private static final String ORIGIN = "https://vision.example.com";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The live feed through the edge: a real node behind the shipped configuration. The WebSocket
     * upgrade passes :443 with the bearer token, a detection ingested through HAProxy arrives as a
     * message, the dashboard's own origin (the public host HAProxy passes on) and the configured one
     * are let in, and a page of a foreign origin is refused (the node's 403, through the proxy).
     */
    @Test
    void theLiveFeedWebSocketPassesTheEdgeAndAForeignOriginIsRefused() throws Exception {
        Path data = java.nio.file.Files.createDirectories(work.resolve("node"));
        TestNodes.Node node = TestNodes.start(TestDatabases.h2(data), ConfigFactory.parseString(String.join("\n",
                "gtv.auth.mode = builtin",
                "gtv.auth.admin-password = \"edge-admin-password\"",
                "gtv.auth.password-iterations = 1000",
                // HAProxy connects from loopback and sets X-Forwarded-For: the node believes it from there only.
                "gtv.http.trusted-proxies = \"127.0.0.1/32\"",
                "gtv.http.websocket.allowed-origins = \"" + ORIGIN + "\"")));
        try (HaproxyProcess edge = HaproxyProcess.start(work, node.httpPort(), certificate)) {
            String bearer = "Bearer " + awaitLogin(edge);
            HttpResponse<String> camera = client.send(HttpRequest.newBuilder(edge.https("/api/cameras"))
                    .header("Authorization", bearer).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"id\": \"edge-cam\", \"name\": \"Edge\", \"sourceUrl\":"
                            + " \"http://127.0.0.1:9/snapshot.jpg\", \"sourceKind\": \"snapshot\", \"fps\": 1.0, \"enabled\": false}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, camera.statusCode(), camera.body());

            URI live = URI.create("wss://localhost:" + edge.httpsPort + "/api/live?camera=edge-cam");
            try (LiveFeedClient feed = LiveFeedClient.reading(client, live, Map.of("Authorization", bearer, "Origin", ORIGIN))) {
                LiveFeedTopics.await(node.system(), stats -> stats.localSubscriberCount() >= 1, "the client behind HAProxy subscribed");
                awaitIngested(edge, bearer);
                String message = feed.next(15);
                assertNotNull(message, "a detection ingested through HAProxy arrives over the WebSocket");
                JsonNode json = JSON.readTree(message);
                assertEquals("edge-cam", json.get("cameraId").asText(), message);
                assertEquals("EDG3E55", json.get("detections").get(0).get("plate").asText(), message);
            }
            // The dashboard's page, served by the same HAProxy: its origin is the host the node is asked for.
            LiveFeedClient.reading(client, live, Map.of("Authorization", bearer, "Origin", "https://localhost:" + edge.httpsPort)).close();
            try {
                LiveFeedClient.reading(client, live, Map.of("Authorization", bearer, "Origin", "https://evil.example.net")).close();
                fail("a page of a foreign origin opened the live feed through HAProxy");
            } catch (ExecutionException refused) {
                assertTrue(refused.getCause() instanceof WebSocketHandshakeException, refused.toString());
                HttpResponse<?> answer = ((WebSocketHandshakeException) refused.getCause()).getResponse();
                assertEquals(403, answer.statusCode(), "a foreign Origin is refused: " + answer.body());
            }
        } finally {
            node.stop();
        }
    }

    /** The first admin's token, through the edge, once the node has created the admin. */
    private String awaitLogin(HaproxyProcess edge) throws Exception {
        HttpResponse<String> last = null;
        for (Instant deadline = Instant.now().plusSeconds(30); Instant.now().isBefore(deadline); Thread.sleep(200)) {
            last = client.send(HttpRequest.newBuilder(edge.https("/api/auth/login")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"username\": \"admin\", \"password\": \"edge-admin-password\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (last.statusCode() == 200) {
                return JSON.readTree(last.body()).get("token").asText();
            }
        }
        throw new AssertionError("no login through HAProxy: " + (last == null ? "no answer" : last.statusCode() + " " + last.body()));
    }

    /** Ingests one detection of edge-cam through the edge, polling until the read side knows the camera. */
    private void awaitIngested(HaproxyProcess edge, String bearer) throws Exception {
        HttpResponse<String> last = null;
        for (Instant deadline = Instant.now().plusSeconds(30); Instant.now().isBefore(deadline); Thread.sleep(200)) {
            String item = "{\"cameraId\": \"edge-cam\", \"timestamp\": \"" + Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)
                    + "\", \"class\": \"car\", \"confidence\": 0.9, \"bbox\": [10, 20, 110, 220], \"plate\": \"EDG3E55\","
                    + " \"frameWidth\": 1920, \"frameHeight\": 1080, \"frameSequence\": 1}";
            last = client.send(HttpRequest.newBuilder(edge.https("/api/ingest/detections")).header("Authorization", bearer)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"detections\": [" + item + "]}")).build(), HttpResponse.BodyHandlers.ofString());
            if (last.statusCode() == 200) {
                return;
            }
        }
        throw new AssertionError("ingest through HAProxy never accepted: " + (last == null ? "no answer" : last.statusCode() + " " + last.body()));
    }

    /** Sends n requests, 50 at a time, and counts the 200s. */
    private int burst(String method, String path, int n) throws Exception {
        int ok = 0;
        for (int sent = 0; sent < n; sent += 50) {
            List<CompletableFuture<HttpResponse<Void>>> batch = new ArrayList<>();
            for (int i = sent; i < Math.min(n, sent + 50); i++) {
                batch.add(client.sendAsync(HttpRequest.newBuilder(proxy.https(path)).timeout(Duration.ofSeconds(20))
                        .method(method, HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.discarding()));
            }
            for (var f : batch) {
                ok += f.get(30, TimeUnit.SECONDS).statusCode() == 200 ? 1 : 0;
            }
        }
        assertFalse(ok > n);
        return ok;
    }
}
