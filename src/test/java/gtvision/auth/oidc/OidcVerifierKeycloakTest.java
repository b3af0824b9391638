package gtvision.auth.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jwt.SignedJWT;
import com.typesafe.config.ConfigFactory;
import com.sun.net.httpserver.HttpServer;
import gtvision.auth.oidc.OidcVerifier.InvalidToken;
import gtvision.auth.oidc.OidcVerifier.IssuerUnavailable;
import gtvision.auth.oidc.OidcVerifier.VerifiedToken;
import gtvision.testsupport.TestKeycloak;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The verifier against a real Keycloak with the realm of src/test/resources/keycloak/gtvision-realm.json:
 * tokens from the password and client-credentials grants, another client's tokens, short-lived tokens and
 * a key rotation done through Keycloak's admin API while the verifier runs.
 */
class OidcVerifierKeycloakTest {
  private static final String REALM = "gtvision";
  private static TestKeycloak keycloak;
  private static ExecutorService blocking;
  private static OidcVerifier verifier;

  @BeforeAll
  static void start() throws Exception {
    keycloak = new TestKeycloak("keycloak/gtvision-realm.json", REALM);
    blocking = Executors.newFixedThreadPool(2);
    // Discovery, as deployed: only the issuer and the audience are configured.
    verifier = verifier(keycloak.issuer(REALM), "gtvision-api", "");
  }

  @AfterAll
  static void stop() {
    if (verifier != null) verifier.close();
    if (blocking != null) blocking.shutdownNow();
    if (keycloak != null) keycloak.close();
  }

  private static OidcVerifier verifier(String issuer, String audience, String extra) {
    String config = "gtv.auth.oidc {\n issuer = \"" + issuer + "\"\n audience = \"" + audience + "\"\n"
        + " jwks-min-refetch-interval = 0s\n" + extra + "\n}";
    return new OidcVerifier(OidcSettings.from(ConfigFactory.parseString(config)
        .withFallback(ConfigFactory.parseResources("auth.conf")).resolve()), blocking);
  }

  private static VerifiedToken verify(OidcVerifier v, String token) {
    try {
      return v.verify(token).toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String password(String client, String user) {
    return keycloak.passwordToken(REALM, client, user, user + "-password");
  }

  @Test
  void passwordGrantTokensCarryTheUsersRealmRoles() {
    VerifiedToken alice = verify(verifier, password("gtvision-dashboard", "alice"));
    assertEquals("alice", alice.username());
    assertEquals(Set.of("viewer"), alice.roles());
    assertNotEquals("alice", alice.subject()); // Keycloak's subject is the user's id
    assertEquals(Set.of("operator"), verify(verifier, password("gtvision-dashboard", "olga")).roles());
    VerifiedToken adam = verify(verifier, password("gtvision-dashboard", "adam"));
    assertEquals(Set.of("admin"), adam.roles());
    assertEquals(true, adam.expiresAt().isAfter(Instant.now()));
  }

  @Test
  void clientCredentialsTokensCarryTheServiceAccountsRoles() {
    VerifiedToken producer = verify(verifier, keycloak.clientCredentialsToken(REALM, "camera-producer", "camera-producer-secret"));
    assertEquals("service-account-camera-producer", producer.username());
    assertEquals(Set.of("ingest"), producer.roles());
  }

  @Test
  void aTokenOfAClientWithoutTheAudienceMapperIsRejected() {
    assertEquals("wrong audience", assertThrows(InvalidToken.class, () -> verify(verifier, password("other-app", "alice"))).getMessage());
  }

  @Test
  void aVerifierForAnotherAudienceOrIssuerRejectsTheRealmsTokens() {
    String token = password("gtvision-dashboard", "alice");
    try (OidcVerifier otherAudience = verifier(keycloak.issuer(REALM), "billing-api", "");
         // The same keys, but the issuer is spelled differently (localhost instead of 127.0.0.1).
         OidcVerifier otherIssuer = verifier(keycloak.issuer(REALM).replace("127.0.0.1", "localhost"), "gtvision-api",
             "jwks-url = \"" + keycloak.issuer(REALM) + "/protocol/openid-connect/certs\"")) {
      assertEquals("wrong audience", assertThrows(InvalidToken.class, () -> verify(otherAudience, token)).getMessage());
      assertEquals("wrong issuer", assertThrows(InvalidToken.class, () -> verify(otherIssuer, token)).getMessage());
    }
  }

  @Test
  void aTokenIsRejectedOnceExpired() throws Exception {
    // gtvision-short's tokens live 2 s (access.token.lifespan); no skew, so the test waits that long only.
    try (OidcVerifier strict = verifier(keycloak.issuer(REALM), "gtvision-api", "clock-skew = 0s")) {
      String token = password("gtvision-short", "alice");
      Instant exp = SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime().toInstant();
      assertEquals(Duration.ofSeconds(2), Duration.between(SignedJWT.parse(token).getJWTClaimsSet().getIssueTime().toInstant(), exp));
      Instant deadline = Instant.now().plusSeconds(15);
      String reason = null;
      while (reason == null && Instant.now().isBefore(deadline)) {
        try {
          verify(strict, token);
          Thread.sleep(200); // polling for the expiry to pass
        } catch (InvalidToken e) {
          reason = e.getMessage();
        }
      }
      assertEquals("token expired", reason);
      assertEquals(true, !Instant.now().isBefore(exp), "rejected only after exp");
    }
  }

  @Test
  void aKeyRotatedInKeycloakIsPickedUpWithoutRestartingTheVerifier() throws Exception {
    String before = password("gtvision-dashboard", "olga");
    verify(verifier, before);
    String newKid = keycloak.rotateRsaKey(REALM);
    String after = password("gtvision-dashboard", "olga");
    assertEquals(newKid, SignedJWT.parse(after).getHeader().getKeyID());
    assertNotEquals(SignedJWT.parse(before).getHeader().getKeyID(), newKid);
    assertEquals(Set.of("operator"), verify(verifier, after).roles());
    // The old key is still published (only outranked), so its tokens stay valid until they expire.
    verify(verifier, before);
  }

  @Test
  void whileKeycloaksKeySetCannotBeFetchedCachedKeysWorkAndARotatedKeyIsIssuerUnavailable() throws Exception {
    try (KeySetRelay relay = new KeySetRelay(keycloak.issuer(REALM) + "/protocol/openid-connect/certs");
         OidcVerifier viaRelay = verifier(keycloak.issuer(REALM), "gtvision-api", "jwks-url = \"" + relay.url() + "\"")) {
      verify(viaRelay, password("gtvision-dashboard", "olga"));
      relay.down.set(true);
      assertEquals(Set.of("operator"), verify(viaRelay, password("gtvision-dashboard", "olga")).roles());
      String newKid = keycloak.rotateRsaKey(REALM);
      String signedWithNewKey = password("gtvision-dashboard", "olga");
      IssuerUnavailable e = assertThrows(IssuerUnavailable.class, () -> verify(viaRelay, signedWithNewKey));
      assertEquals("the issuer's keys cannot be fetched and none kept matches the token's key id '" + newKid + "'", e.getMessage());
      relay.down.set(false);
      assertEquals(Set.of("operator"), verify(viaRelay, signedWithNewKey).roles());
    }
  }

  /** Passes Keycloak's key set through, or answers 503 while down: the provider's key endpoint failing. */
  private static final class KeySetRelay implements AutoCloseable {
    final AtomicBoolean down = new AtomicBoolean();
    private final HttpServer server;

    KeySetRelay(String upstream) throws IOException {
      HttpClient client = HttpClient.newHttpClient();
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext("/certs", ex -> {
        try (ex) {
          if (down.get()) {
            ex.sendResponseHeaders(503, -1);
            return;
          }
          byte[] body = client.send(HttpRequest.newBuilder(URI.create(upstream)).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
          ex.getResponseHeaders().set("Content-Type", "application/json");
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      server.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/certs";
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
