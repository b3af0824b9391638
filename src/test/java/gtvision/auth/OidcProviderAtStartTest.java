package gtvision.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import gtvision.testsupport.OpenApiDescription;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestNodes;
import gtvision.testsupport.TestOidcProvider;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * oidc mode asks its provider when the node starts, not at the first token: with the right issuer
 * /health shows the provider UP (and its keys are cached) before any token arrived; with a wrong
 * GTV_OIDC_ISSUER the node still starts, logs an error naming the URL, shows DOWN (the reason only to
 * a signed-in caller) and keeps retrying.
 */
class OidcProviderAtStartTest {
  private static final String AUDIENCE = "gtvision-api";
  // Every /health answer here, with and without a credential, must be what the API description says.
  private static final OpenApiDescription DESCRIPTION = OpenApiDescription.load();
  @TempDir static Path dir;
  private static TestOidcProvider provider;

  @BeforeAll
  static void startProvider() throws Exception {
    provider = new TestOidcProvider();
  }

  @AfterAll
  static void stopProvider() {
    if (provider != null) provider.close();
  }

  private static Config oidc(String issuer) {
    return ConfigFactory.parseString(String.join("\n",
        "gtv.auth.mode = oidc",
        "gtv.auth.oidc.issuer = \"" + issuer + "\"",
        "gtv.auth.oidc.audience = " + AUDIENCE,
        "gtv.auth.password-iterations = 1000"));
  }

  /** Polls anonymous /health until its auth part satisfies {@code condition}; returns that body. */
  private static JsonNode awaitHealth(AuthClient client, String bearer, Predicate<JsonNode> condition, String what) {
    JsonNode last = null;
    for (Instant deadline = Instant.now().plusSeconds(30); Instant.now().isBefore(deadline); sleep()) {
      HttpResponse<String> r = client.call("GET", "/health", null, bearer);
      assertEquals(200, r.statusCode(), "the provider's state is reported, never gated on: " + r.body());
      last = AuthClient.json(r);
      if (condition.test(last.path("auth"))) {
        assertEquals(List.of(), DESCRIPTION.problems("GET", "/health", 200, r.headers().firstValue("Content-Type"), r.body()));
        return last;
      }
    }
    throw new AssertionError(what + "; last /health: " + last);
  }

  private static void sleep() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void withTheRightIssuerTheProviderIsUpAndItsKeysFetchedBeforeAnyToken() throws Exception {
    Path data = Files.createDirectories(dir.resolve("right"));
    TestNodes.Node node = TestNodes.start(TestDatabases.h2(data), oidc(provider.issuer()));
    try {
      AuthClient client = new AuthClient(node.baseUrl());
      JsonNode bare = awaitHealth(client, null, a -> a.path("provider").asText().equals("UP"), "the provider UP without any token");
      assertEquals("oidc", bare.get("auth").get("mode").asText(), bare.toString());
      assertFalse(bare.get("auth").has("reason") || bare.get("auth").has("issuer"), "no detail without a credential: " + bare);
      int fetched = provider.jwksFetches();
      assertTrue(fetched >= 1, "the key set was fetched at start");

      String token = provider.sign(provider.claims("alice", AUDIENCE)
          .claim("preferred_username", "alice").claim("realm_access", Map.of("roles", List.of("viewer"))).build());
      assertEquals(200, client.call("GET", "/api/cameras", null, token).statusCode());
      assertEquals(fetched, provider.jwksFetches(), "the first token used the keys fetched at start");

      HttpResponse<String> signedIn = client.call("GET", "/health", null, token);
      assertEquals(200, signedIn.statusCode(), signedIn.body());
      assertEquals(List.of(), DESCRIPTION.problems("GET", "/health", 200, signedIn.headers().firstValue("Content-Type"), signedIn.body()));
      JsonNode detailed = AuthClient.json(signedIn);
      JsonNode auth = detailed.get("auth");
      assertEquals("UP", auth.get("provider").asText(), detailed.toString());
      assertEquals(provider.issuer(), auth.get("issuer").asText());
      assertTrue(auth.get("reason").asText().contains(provider.jwksUrl()), "the reason names the key set: " + auth);
    } finally {
      node.stop();
    }
  }

  @Test
  void withAWrongIssuerTheNodeStartsLogsTheUrlAndShowsDownWithTheReasonToSignedInCallers() throws Exception {
    Path data = Files.createDirectories(dir.resolve("wrong"));
    // A viewer API key made in built-in mode, kept in the node's database: API keys work in oidc mode
    // too, and this one is how a signed-in caller reads /health while no provider token can be verified.
    String key;
    TestNodes.Node builtin = TestNodes.start(TestDatabases.h2(data), ConfigFactory.parseString(String.join("\n",
        "gtv.auth.mode = builtin", "gtv.auth.admin-password = \"oidc-start-admin\"", "gtv.auth.password-iterations = 1000")));
    try {
      AuthClient client = new AuthClient(builtin.baseUrl());
      String admin = null;
      for (Instant deadline = Instant.now().plusSeconds(30); admin == null && Instant.now().isBefore(deadline); sleep()) {
        HttpResponse<String> login = client.call("POST", "/api/auth/login",
            "{\"username\": \"admin\", \"password\": \"oidc-start-admin\"}", null);
        if (login.statusCode() == 200) admin = AuthClient.json(login).get("token").asText();
      }
      assertTrue(admin != null, "the first admin logs in");
      HttpResponse<String> created = client.call("POST", "/api/auth/keys", "{\"name\": \"monitor\", \"role\": \"viewer\"}", admin);
      assertEquals(201, created.statusCode(), created.body());
      key = AuthClient.json(created).get("key").asText();
    } finally {
      builtin.stop();
    }

    String wrongIssuer = provider.issuer() + "/realms/nope";
    String discovery = wrongIssuer + "/.well-known/openid-configuration";
    Logger authLog = (Logger) LoggerFactory.getLogger(Auth.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    authLog.addAppender(lines);
    TestNodes.Node node = null;
    try {
      // TestNodes.start returns once /health answers 200: the node started although the provider cannot be used.
      node = TestNodes.start(TestDatabases.h2(data), oidc(wrongIssuer));
      AuthClient client = new AuthClient(node.baseUrl());
      JsonNode bare = awaitHealth(client, null, a -> a.path("provider").asText().equals("DOWN"), "the provider DOWN");
      assertEquals("up", bare.get("status").asText(), "the node itself is up: " + bare);
      assertFalse(bare.get("auth").has("reason"), "no URL or error text without a credential: " + bare);

      JsonNode detailed = awaitHealth(client, key, a -> a.has("reason"), "the reason for a signed-in caller");
      JsonNode auth = detailed.get("auth");
      assertEquals("DOWN", auth.get("provider").asText(), detailed.toString());
      assertEquals(wrongIssuer, auth.get("issuer").asText());
      assertTrue(auth.get("reason").asText().contains(discovery), "the reason names the discovery URL: " + auth);
      assertTrue(auth.get("reason").asText().contains("404"), "and what it answered: " + auth);

      // Its tokens are answered 503 (the provider, not the token, is the problem); the API key still works.
      String token = provider.sign(provider.claims("alice", AUDIENCE).issuer(wrongIssuer)
          .claim("realm_access", Map.of("roles", List.of("viewer"))).build());
      assertEquals(503, client.call("GET", "/api/cameras", null, token).statusCode());
      assertEquals(200, client.call("GET", "/api/cameras", null, key).statusCode());

      // An error naming the URL at start, and the check retried with back-off.
      for (Instant deadline = Instant.now().plusSeconds(30); Instant.now().isBefore(deadline) && errors(lines, discovery) < 2; sleep()) {
        // polling the log
      }
      List<String> errors = events(lines).stream().filter(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage).toList();
      assertTrue(errors(lines, discovery) >= 2, "an error naming " + discovery + " at start and again at the retry: " + errors);
      assertTrue(errors.get(0).contains("GTV_OIDC_ISSUER") && errors.get(0).contains("(attempt 1)"), errors.get(0));
    } finally {
      authLog.detachAppender(lines);
      if (node != null) node.stop();
    }
  }

  private static long errors(ListAppender<ILoggingEvent> lines, String url) {
    return events(lines).stream().filter(e -> e.getLevel() == Level.ERROR && e.getFormattedMessage().contains(url)).count();
  }

  // The appender adds under its own lock (AppenderBase.doAppend is synchronized): copy under it too.
  private static List<ILoggingEvent> events(ListAppender<ILoggingEvent> lines) {
    synchronized (lines) {
      return List.copyOf(lines.list);
    }
  }
}
