package gtvision.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.typesafe.config.ConfigFactory;
import gtvision.http.Endpoints;
import gtvision.testsupport.MediaTools;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestNodes;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Built-in authentication on a real node: every route against every role, tokens, keys, users. */
class AuthorizationTest {
  private static final byte[] SECRET = new byte[32];
  private static final String ADMIN_PASSWORD = "first-admin-password";
  @TempDir static Path dir;
  private static TestNodes.Node node;
  private static AuthClient client;
  private static final Map<Role, String> credentials = new EnumMap<>(Role.class);

  @BeforeAll
  static void start() {
    new SecureRandom().nextBytes(SECRET);
    node = TestNodes.start(TestDatabases.preferPostgres("auth_matrix", dir), ConfigFactory.parseString(String.join("\n",
        "gtv.data-dir = \"" + dir.toString().replace("\\", "/") + "\"",
        "gtv.auth.mode = builtin",
        "gtv.auth.admin-password = \"" + ADMIN_PASSWORD + "\"",
        "gtv.auth.token-secret = \"" + Base64.getEncoder().encodeToString(SECRET) + "\"",
        // Hashing speed is not under test: a few iterations keep logins fast on a loaded CI machine.
        "gtv.auth.password-iterations = 1000")));
    client = new AuthClient(node.baseUrl());
    String admin = awaitLogin("admin", ADMIN_PASSWORD);
    credentials.put(Role.ADMIN, admin);
    for (Role role : List.of(Role.VIEWER, Role.OPERATOR)) {
      HttpResponse<String> created = client.call("POST", "/api/auth/users",
          "{\"username\": \"" + role.wireName() + "-user\", \"password\": \"password-of-" + role.wireName() + "\", \"role\": \""
              + role.wireName() + "\"}", admin);
      assertEquals(201, created.statusCode(), created.body());
      credentials.put(role, client.login(role.wireName() + "-user", "password-of-" + role.wireName()));
    }
    credentials.put(Role.INGEST, newKey("producer", "ingest", "[\"cam-1\"]").get("key").asText());
    assertEquals(201, client.call("POST", "/api/cameras", camera("cam-1"), admin).statusCode());
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  /** The first admin exists as soon as the node has its database; poll for it. */
  private static String awaitLogin(String user, String password) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      HttpResponse<String> r = client.call("POST", "/api/auth/login",
          "{\"username\": \"" + user + "\", \"password\": \"" + password + "\"}", null);
      if (r.statusCode() == 200) return AuthClient.json(r).get("token").asText();
      if (System.nanoTime() > deadline) throw new AssertionError("no login: " + r.statusCode() + " " + r.body());
      MediaTools.sleep(200);
    }
  }

  private record Call(String method, String path, String body, Optional<Role> needs) {}

  private static Call call(String method, String path, String body, Role needs) {
    return new Call(method, path, body, Optional.ofNullable(needs));
  }

  /** The README's matrix; {@code needs} null: any signed-in principal. */
  private static List<Call> routes() {
    return List.of(
        call("GET", "/api/cameras", null, Role.VIEWER),
        call("GET", "/api/cameras/cam-1", null, Role.VIEWER),
        call("GET", "/api/cameras/cam-1/frame/latest", null, Role.VIEWER),
        call("POST", "/api/cameras", camera("cam-new"), Role.ADMIN),
        call("PUT", "/api/cameras/cam-unknown", camera("cam-unknown"), Role.ADMIN),
        call("DELETE", "/api/cameras/cam-unknown", null, Role.ADMIN),
        call("POST", "/api/cameras/cam-1/enable", null, Role.OPERATOR),
        call("POST", "/api/cameras/cam-1/disable", null, Role.OPERATOR),
        call("GET", "/api/detections", null, Role.VIEWER),
        call("GET", "/api/detections/1", null, Role.VIEWER),
        call("GET", "/api/detections/1/frame", null, Role.VIEWER),
        call("GET", "/api/events", null, Role.VIEWER),
        call("GET", "/api/events/1", null, Role.VIEWER),
        call("GET", "/api/events/1/frame", null, Role.VIEWER),
        call("GET", "/api/counts", null, Role.VIEWER),
        call("GET", "/api/watchlist", null, Role.VIEWER),
        call("POST", "/api/watchlist", "{\"pattern\": \"\", \"label\": \"x\"}", Role.OPERATOR),
        call("GET", "/api/watchlist/999999", null, Role.VIEWER),
        call("PUT", "/api/watchlist/999999", "{\"pattern\": \"AB12CD\", \"label\": \"x\"}", Role.OPERATOR),
        call("DELETE", "/api/watchlist/999999", null, Role.OPERATOR),
        call("GET", "/api/alerts", null, Role.VIEWER),
        call("POST", "/api/ingest/detections", "{\"detections\": []}", Role.INGEST),
        call("POST", "/api/detect/frame", "{}", Role.OPERATOR),
        call("POST", "/api/batch/detect", "{}", Role.OPERATOR),
        call("GET", "/api/live", null, Role.VIEWER),
        call("GET", "/api/dashboard/config", null, Role.VIEWER),
        call("GET", "/api/system", null, Role.VIEWER),
        call("GET", "/api/auth/me", null, null),
        call("POST", "/api/auth/ticket", null, null),
        call("GET", "/api/auth/keys", null, Role.ADMIN),
        call("POST", "/api/auth/keys", "{\"name\": \"x\", \"role\": \"nonsense\"}", Role.ADMIN),
        call("DELETE", "/api/auth/keys/0000000000000000", null, Role.ADMIN),
        call("GET", "/api/auth/users", null, Role.ADMIN),
        call("POST", "/api/auth/users", "{\"username\": \"u\", \"password\": \"short\", \"role\": \"viewer\"}", Role.ADMIN),
        call("PUT", "/api/auth/users/nobody", "{\"role\": \"viewer\"}", Role.ADMIN),
        call("DELETE", "/api/auth/users/nobody", null, Role.ADMIN),
        call("GET", "/api/no-such-route", null, Role.VIEWER),
        call("POST", "/api/no-such-route", "{}", Role.ADMIN));
  }

  @Test
  void everyRouteAnswersEachRoleAsTheMatrixSays() {
    List<String> wrong = new ArrayList<>();
    for (Call c : routes()) {
      HttpResponse<String> anonymous = client.call(c.method(), c.path(), c.body(), null);
      if (anonymous.statusCode() != 401) wrong.add("nobody " + c.method() + " " + c.path() + " -> " + anonymous.statusCode());
      for (Role role : Role.values()) {
        boolean allowed = c.needs().map(role::allows).orElse(true);
        HttpResponse<String> r = client.call(c.method(), c.path(), c.body(), credentials.get(role));
        boolean refused = r.statusCode() == 401 || r.statusCode() == 403;
        if (allowed == refused) {
          wrong.add(role.wireName() + " " + c.method() + " " + c.path() + " -> " + r.statusCode() + " " + r.body());
        }
        if (!allowed && r.statusCode() != 403) wrong.add(role.wireName() + " " + c.path() + " should be 403: " + r.statusCode());
      }
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
  }

  @Test
  void openRoutesNeedNoCredentialAndHealthShowsLessWithoutOne() {
    HttpResponse<String> bare = client.call("GET", "/health", null, null);
    assertEquals(200, bare.statusCode());
    JsonNode body = AuthClient.json(bare);
    assertEquals("up", body.get("status").asText());
    assertFalse(body.has("node") || body.has("inference"), bare.body());
    JsonNode detailed = AuthClient.json(client.call("GET", "/health", null, credentials.get(Role.VIEWER)));
    assertTrue(detailed.has("node") && detailed.has("inference"), detailed.toString());
    assertEquals("builtin", detailed.get("auth").get("mode").asText(), detailed.toString());
    assertFalse(body.has("auth"), "without a provider there is nothing about authentication to tell a load balancer: " + bare.body());
    assertEquals(200, client.call("GET", "/metrics", null, null).statusCode());
    assertEquals(200, client.call("GET", "/api/openapi.json", null, null).statusCode());
    assertEquals(200, client.call("GET", "/api/docs", null, null).statusCode());
    assertEquals(200, client.call("GET", "/api/docs", null, "an-invalid-token").statusCode(), "open, so a bad token does not matter");
    HttpResponse<String> signIn = client.call("GET", "/api/dashboard/signin", null, null);
    assertEquals(200, signIn.statusCode(), signIn.body());
    assertEquals("builtin", AuthClient.json(signIn).get("mode").asText(), signIn.body());
    assertTrue(AuthClient.json(signIn).get("oidc").isNull(), "no provider outside oidc mode: " + signIn.body());
  }

  /** Routes anyone may call; each is exercised by the open-routes and login tests above. */
  private static final Set<String> OPEN = Set.of("GET /health", "GET /metrics", "GET /", "GET /index.html", "GET /api/openapi.json",
      "GET /api/docs", "GET /api/dashboard/signin", "POST /api/auth/login", "POST /api/auth/mediamtx");

  @Test
  void theMatrixCoversEveryRouteOfTheNode() {
    Set<String> covered = new TreeSet<>(OPEN);
    for (Call c : routes()) {
      List<String> segments = Arrays.stream(c.path().split("/")).filter(s -> !s.isEmpty()).toList();
      Endpoints.ALL.stream().filter(e -> e.matches(c.method(), segments)).forEach(e -> covered.add(e.method() + " " + e.path()));
    }
    Set<String> missing = Endpoints.ALL.stream().map(e -> e.method() + " " + e.path()).filter(k -> !covered.contains(k))
        .collect(Collectors.toCollection(TreeSet::new));
    assertTrue(missing.isEmpty(), "routes the matrix does not call: " + missing);
    for (String open : OPEN) {
      String[] parts = open.split(" ");
      List<String> segments = Arrays.stream(parts[1].split("/")).filter(s -> !s.isEmpty()).toList();
      assertInstanceOf(AccessPolicy.Open.class, AccessPolicy.rule(parts[0], segments).access(), open);
    }
  }

  @Test
  void missingAndBadCredentialsGet401WithAChallengeInTheUsualErrorBody() {
    HttpResponse<String> missing = client.call("GET", "/api/cameras", null, null);
    assertEquals(401, missing.statusCode());
    assertEquals("Bearer realm=\"gtvision\"", missing.headers().firstValue("WWW-Authenticate").orElseThrow());
    assertEquals("authentication required", AuthClient.json(missing).get("error").asText());
    for (String bad : List.of("garbage", "a.b.c", "gtv_nothex_x", "gtv_0123456789abcdef_wrongsecret")) {
      HttpResponse<String> r = client.call("GET", "/api/cameras", null, bad);
      assertEquals(401, r.statusCode(), bad + ": " + r.body());
      assertTrue(r.headers().firstValue("WWW-Authenticate").orElseThrow().contains("invalid_token"));
      assertFalse(r.body().contains(bad.length() > 6 ? bad : "\u0000"), "the credential is not echoed: " + r.body());
    }
  }

  @Test
  void forgedExpiredAndUnsignedTokensAreRefused() throws Exception {
    Instant now = Instant.now();
    JWTClaimsSet valid = claims("access", now.plusSeconds(600));
    assertEquals(200, client.call("GET", "/api/cameras", null, hs256(valid, SECRET)).statusCode(),
        "a token signed with the node's secret is accepted (the control)");
    byte[] other = new byte[32];
    new SecureRandom().nextBytes(other);
    Map<String, String> forged = Map.of(
        "another secret", hs256(valid, other),
        "expired", hs256(claims("access", now.minusSeconds(5)), SECRET),
        "alg none", new PlainJWT(valid).serialize(),
        "a ticket used as an access token", hs256(claims("ws-ticket", now.plusSeconds(30)), SECRET),
        "another issuer", hs256(new JWTClaimsSet.Builder(valid).issuer("someone-else").build(), SECRET),
        "no role", hs256(new JWTClaimsSet.Builder(valid).claim("role", null).build(), SECRET));
    forged.forEach((what, token) -> {
      HttpResponse<String> r = client.call("GET", "/api/cameras", null, token);
      assertEquals(401, r.statusCode(), what + ": " + r.body());
    });
  }

  @Test
  void loginAnswersTheSameForAnUnknownUserAndAWrongPassword() {
    HttpResponse<String> wrong = client.call("POST", "/api/auth/login", "{\"username\": \"admin\", \"password\": \"nope\"}", null);
    HttpResponse<String> unknown = client.call("POST", "/api/auth/login", "{\"username\": \"ghost\", \"password\": \"nope\"}", null);
    assertEquals(401, wrong.statusCode());
    assertEquals(wrong.body(), unknown.body());
    assertEquals(400, client.call("POST", "/api/auth/login", "{\"username\": \"admin\"}", null).statusCode());
    assertEquals(400, client.call("POST", "/api/auth/login", "{not json", null).statusCode());
    JsonNode ok = AuthClient.json(client.call("POST", "/api/auth/login",
        "{\"username\": \"admin\", \"password\": \"" + ADMIN_PASSWORD + "\"}", null));
    assertEquals("admin", ok.get("role").asText());
    assertTrue(Instant.parse(ok.get("expiresAt").asText()).isAfter(Instant.now().plusSeconds(60)));
  }

  @Test
  void anApiKeyIsShownOnceListedWithoutItsSecretAndRevoked() {
    JsonNode key = newKey("dashboard-bot", "viewer", null);
    String secret = key.get("key").asText();
    assertTrue(secret.startsWith("gtv_" + key.get("id").asText() + "_"));
    assertEquals(200, client.call("GET", "/api/cameras", null, secret).statusCode());
    String listing = client.call("GET", "/api/auth/keys", null, credentials.get(Role.ADMIN)).body();
    assertTrue(listing.contains(key.get("id").asText()) && !listing.contains(secret.substring(24)), listing);
    assertEquals(204, client.call("DELETE", "/api/auth/keys/" + key.get("id").asText(), null, credentials.get(Role.ADMIN)).statusCode());
    HttpResponse<String> revoked = client.call("GET", "/api/cameras", null, secret);
    assertEquals(401, revoked.statusCode());
    assertEquals("API key revoked", AuthClient.json(revoked).get("error").asText());
    assertEquals(404, client.call("DELETE", "/api/auth/keys/" + key.get("id").asText(), null, credentials.get(Role.ADMIN)).statusCode());
    assertEquals(400, client.call("POST", "/api/auth/keys", "{\"name\": \"p\", \"role\": \"ingest\"}", credentials.get(Role.ADMIN)).statusCode(),
        "an ingest key names its cameras");
  }

  @Test
  void anIngestKeyWritesOnlyItsOwnCameras() {
    String item = "{\"cameraId\": \"%s\", \"timestamp\": \"" + Instant.now() + "\", \"class\": \"car\", \"confidence\": 0.9,"
        + " \"bbox\": [1, 2, 3, 4]}";
    HttpResponse<String> other = client.call("POST", "/api/ingest/detections",
        "{\"detections\": [" + item.formatted("cam-1") + ", " + item.formatted("cam-2") + "]}", credentials.get(Role.INGEST));
    assertEquals(403, other.statusCode(), other.body());
    assertEquals("cameraId", AuthClient.json(other).get("field").asText());
    assertTrue(other.body().contains("cam-2"), other.body());
    HttpResponse<String> own = client.call("POST", "/api/ingest/detections",
        "{\"detections\": [" + item.formatted("cam-1") + "]}", credentials.get(Role.INGEST));
    assertNotEquals(403, own.statusCode(), own.body());
    assertNotEquals(401, own.statusCode(), own.body());
  }

  @Test
  void usersAreManagedByAdminsAndTheLastAdminStays() {
    String admin = credentials.get(Role.ADMIN);
    assertEquals(409, client.call("DELETE", "/api/auth/users/admin", null, admin).statusCode());
    assertEquals(409, client.call("PUT", "/api/auth/users/admin", "{\"role\": \"viewer\"}", admin).statusCode());
    assertEquals(409, client.call("POST", "/api/auth/users",
        "{\"username\": \"viewer-user\", \"password\": \"another-password\", \"role\": \"viewer\"}", admin).statusCode());
    assertEquals(201, client.call("POST", "/api/auth/users",
        "{\"username\": \"temp\", \"password\": \"temporary-password\", \"role\": \"operator\"}", admin).statusCode());
    assertEquals(200, client.call("PUT", "/api/auth/users/temp", "{\"password\": \"changed-password-1\"}", admin).statusCode());
    assertEquals(401, client.call("POST", "/api/auth/login", "{\"username\": \"temp\", \"password\": \"temporary-password\"}", null).statusCode());
    client.login("temp", "changed-password-1");
    assertEquals(204, client.call("DELETE", "/api/auth/users/temp", null, admin).statusCode());
    String users = client.call("GET", "/api/auth/users", null, admin).body();
    assertTrue(users.contains("viewer-user") && !users.contains("password"), users);
  }

  @Test
  void theMediaServerAsksWhoMayWatchAndPublish() {
    String viewer = credentials.get(Role.VIEWER);
    String ingest = credentials.get(Role.INGEST);
    assertEquals(200, mediamtx("", "", viewer, "read", "cam_cam-1").statusCode());
    assertEquals(200, mediamtx("viewer-user", "password-of-viewer", "", "playback", "cam_cam-1").statusCode());
    assertEquals(401, mediamtx("", "", "", "read", "cam_cam-1").statusCode());
    assertEquals(401, mediamtx("viewer-user", "wrong", "", "read", "cam_cam-1").statusCode());
    assertEquals(403, mediamtx("", "", viewer, "publish", "cam_cam-1").statusCode());
    assertEquals(200, mediamtx("", ingest, "", "publish", "cam_cam-1").statusCode());
    assertEquals(403, mediamtx("", ingest, "", "publish", "cam_cam-2").statusCode());
    assertEquals(403, mediamtx("", "", viewer, "api", "").statusCode());
  }

  private static HttpResponse<String> mediamtx(String user, String password, String token, String action, String path) {
    String body = "{\"user\": \"%s\", \"password\": \"%s\", \"token\": \"%s\", \"ip\": \"10.0.0.9\", \"action\": \"%s\", \"path\": \"%s\","
        + " \"protocol\": \"hls\", \"id\": null, \"query\": \"\"}";
    return client.call("POST", "/api/auth/mediamtx", body.formatted(user, password, token, action, path), null);
  }

  private static JsonNode newKey(String name, String role, String cameras) {
    HttpResponse<String> r = client.call("POST", "/api/auth/keys", "{\"name\": \"" + name + "\", \"role\": \"" + role + "\""
        + (cameras == null ? "" : ", \"cameras\": " + cameras) + "}", credentials.get(Role.ADMIN));
    assertEquals(201, r.statusCode(), r.body());
    return AuthClient.json(r);
  }

  private static JWTClaimsSet claims(String type, Instant expires) {
    return new JWTClaimsSet.Builder().issuer("gtvision").subject("admin").claim("role", "admin").claim("typ", type)
        .jwtID("t-" + System.nanoTime()).issueTime(Date.from(Instant.now())).expirationTime(Date.from(expires)).build();
  }

  private static String hs256(JWTClaimsSet claims, byte[] secret) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    jwt.sign(new MACSigner(secret));
    return jwt.serialize();
  }

  static String camera(String id) {
    return "{\"id\": \"" + id + "\", \"name\": \"" + id + "\", \"sourceUrl\": \"http://127.0.0.1:9/snapshot.jpg\","
        + " \"sourceKind\": \"snapshot\", \"fps\": 1.0, \"enabled\": false}";
  }
}
