package gtvision.auth.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.typesafe.config.ConfigFactory;
import gtvision.auth.oidc.OidcVerifier.InvalidToken;
import gtvision.auth.oidc.OidcVerifier.IssuerUnavailable;
import gtvision.auth.oidc.OidcVerifier.VerifiedToken;
import gtvision.testsupport.TestOidcProvider;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The verifier against a provider of our own, which signs whatever a case needs. */
class OidcVerifierTest {
  private static final String AUDIENCE = "gtvision-api";
  private TestOidcProvider provider;
  private ExecutorService blocking;
  private OidcVerifier verifier;

  @BeforeEach
  void start() throws Exception {
    provider = new TestOidcProvider();
    blocking = Executors.newFixedThreadPool(2);
    verifier = verifier("jwks-url = \"" + provider.jwksUrl() + "\"");
  }

  @AfterEach
  void stop() {
    verifier.close();
    blocking.shutdownNow();
    provider.close();
  }

  private OidcVerifier verifier(String... settings) {
    String config = "gtv.auth.oidc {\n issuer = \"" + provider.issuer() + "\"\n jwks-min-refetch-interval = 0s\n"
        + String.join("\n", settings) + "\n}";
    return new OidcVerifier(OidcSettings.from(ConfigFactory.parseString(config)
        .withFallback(ConfigFactory.parseResources("auth.conf")).resolve()), blocking);
  }

  private VerifiedToken verify(OidcVerifier v, String token) {
    try {
      return v.verify(token).toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private String rejected(String token) {
    return assertThrows(InvalidToken.class, () -> verify(verifier, token)).getMessage();
  }

  private JWTClaimsSet.Builder alice() {
    return provider.claims("user-1", AUDIENCE).claim("preferred_username", "alice")
        .claim("realm_access", Map.of("roles", List.of("viewer", "operator")));
  }

  @Test
  void aValidTokenGivesSubjectUsernameRolesAndExpiry() {
    Instant exp = Instant.now().plusSeconds(120);
    VerifiedToken t = verify(verifier, provider.sign(alice().expirationTime(Date.from(exp)).build()));
    assertEquals("user-1", t.subject());
    assertEquals("alice", t.username());
    assertEquals(Set.of("viewer", "operator"), t.roles());
    assertEquals(exp.getEpochSecond(), t.expiresAt().getEpochSecond());
  }

  @Test
  void withoutPreferredUsernameTheSubjectIsTheUsernameAndNoRoleClaimGrantsNothing() {
    VerifiedToken t = verify(verifier, provider.sign(provider.claims("machine-7", AUDIENCE).build()));
    assertEquals("machine-7", t.username());
    assertEquals(Set.of(), t.roles());
  }

  @Test
  void rolesComeFromATopLevelOrNamespacedClaimWhenConfigured() {
    try (OidcVerifier top = verifier("jwks-url = \"" + provider.jwksUrl() + "\"", "roles-claim = roles");
         OidcVerifier namespaced = verifier("jwks-url = \"" + provider.jwksUrl() + "\"", "roles-claim = \"https://gtvision.example/roles\"")) {
      assertEquals(Set.of("admin"), verify(top, provider.sign(provider.claims("u", AUDIENCE).claim("roles", List.of("admin")).build())).roles());
      assertEquals(Set.of("ingest"), verify(namespaced, provider.sign(provider.claims("u", AUDIENCE)
          .claim("https://gtvision.example/roles", List.of("ingest")).build())).roles());
    }
  }

  @Test
  void anExpiredTokenIsRejectedBeyondTheClockSkewOnly() {
    Instant now = Instant.now();
    assertEquals("token expired", rejected(provider.sign(alice().expirationTime(Date.from(now.minusSeconds(60))).build())));
    // 10 s past exp is within the default 30 s skew.
    verify(verifier, provider.sign(alice().expirationTime(Date.from(now.minusSeconds(10))).build()));
  }

  @Test
  void aTokenNotYetValidIsRejected() {
    assertEquals("token not yet valid (nbf)", rejected(provider.sign(alice().notBeforeTime(Date.from(Instant.now().plusSeconds(120))).build())));
  }

  @Test
  void anotherIssuerOrAudienceIsRejected() {
    assertEquals("wrong issuer", rejected(provider.sign(alice().issuer("http://evil.example/realms/gtvision").build())));
    assertEquals("wrong audience", rejected(provider.sign(alice().audience("another-api").build())));
    assertEquals("wrong audience", rejected(provider.sign(alice().audience((String) null).build())));
    // aud may be a list: it needs to contain ours.
    verify(verifier, provider.sign(alice().audience(List.of("account", AUDIENCE)).build()));
  }

  @Test
  void aTokenWithoutSubjectOrExpiryIsRejected() {
    assertTrue(rejected(provider.sign(alice().subject(null).build())).contains("sub"));
    assertTrue(rejected(provider.sign(alice().expirationTime(null).build())).contains("exp"));
  }

  @Test
  void algNoneIsRejected() {
    String unsigned = new PlainJWT(alice().build()).serialize();
    assertEquals("algorithm none is not allowed: the token is not signed", rejected(unsigned));
  }

  @Test
  void anHmacTokenSignedWithTheRsaPublicKeyIsRejected() throws Exception {
    // The key-confusion forgery: HS256 with the provider's public key (which anyone can fetch) as secret.
    byte[] publicKey = provider.signingKey().toRSAPublicKey().getEncoded();
    String forged = TestOidcProvider.sign(alice().claim("realm_access", Map.of("roles", List.of("admin"))).build(),
        new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(provider.signingKey().getKeyID()).type(JOSEObjectType.JWT).build(),
        new MACSigner(publicKey));
    assertTrue(rejected(forged).startsWith("algorithm HS256 is not allowed"));
  }

  @Test
  void anAlgorithmNotConfiguredIsRejectedAndEs256IsAcceptedByDefault() throws Exception {
    String ps256 = TestOidcProvider.sign(alice().build(),
        new JWSHeader.Builder(JWSAlgorithm.PS256).keyID(provider.signingKey().getKeyID()).build(),
        new RSASSASigner(provider.signingKey()));
    assertTrue(rejected(ps256).startsWith("algorithm PS256 is not allowed"));
    ECKey ec = provider.publishEcKey();
    assertEquals("alice", verify(verifier, provider.sign(alice().build(), ec)).username());
  }

  @Test
  void aTamperedTokenHasABadSignature() {
    String[] parts = provider.sign(alice().build()).split("\\.");
    String admin = Base64URL.encode(alice().claim("realm_access", Map.of("roles", List.of("admin"))).build().toString()).toString();
    assertEquals("bad signature", rejected(parts[0] + "." + admin + "." + parts[2]));
  }

  @Test
  void aKeyNobodyPublishedIsAnUnknownKey() {
    RSAKey stranger = TestOidcProvider.newRsaKey();
    assertTrue(rejected(provider.sign(alice().build(), stranger)).startsWith("unknown signing key (key id '" + stranger.getKeyID() + "'"));
  }

  @Test
  void aTokenTypedAsSomethingElseThanAnAccessTokenIsRejected() throws Exception {
    String logout = TestOidcProvider.sign(alice().build(),
        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(provider.signingKey().getKeyID()).type(new JOSEObjectType("logout+jwt")).build(),
        new RSASSASigner(provider.signingKey()));
    assertTrue(rejected(logout).startsWith("token rejected: "), rejected(logout));
    String atJwt = TestOidcProvider.sign(alice().build(),
        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(provider.signingKey().getKeyID()).type(new JOSEObjectType("at+jwt")).build(),
        new RSASSASigner(provider.signingKey()));
    verify(verifier, atJwt);
  }

  @Test
  void reasonsNeverContainTheToken() {
    String token = provider.sign(alice().audience("another-api").build());
    String signature = token.substring(token.lastIndexOf('.') + 1);
    String reason = rejected(token);
    assertTrue(!reason.contains(signature) && !reason.contains(token.substring(0, token.indexOf('.'))), reason);
  }

  @Test
  void afterAFailedDiscoveryRequestsAnswerAtOnceUntilTheRetryInterval() throws Exception {
    try (OidcVerifier discovering = verifier("jwks-min-refetch-interval = 1s")) {
      provider.down(true);
      assertThrows(IssuerUnavailable.class, () -> verify(discovering, provider.sign(alice().build())));
      provider.down(false);
      assertEquals("the issuer's metadata cannot be fetched (a recent attempt failed)",
          assertThrows(IssuerUnavailable.class, () -> verify(discovering, provider.sign(alice().build()))).getMessage());
      Instant deadline = Instant.now().plusSeconds(10);
      VerifiedToken t = null;
      while (t == null && Instant.now().isBefore(deadline)) {
        try {
          t = verify(discovering, provider.sign(alice().build()));
        } catch (IssuerUnavailable e) {
          Thread.sleep(100); // polling until the retry interval has passed
        }
      }
      assertEquals("alice", t.username());
    }
  }

  @Test
  void aKeyIdChosenByTheSenderIsQuotedShortAndPrintable() throws Exception {
    String kid = "evil\r\nX-Injected: yes" + "k".repeat(500);
    String token = TestOidcProvider.sign(alice().build(),
        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), new RSASSASigner(provider.signingKey()));
    String reason = rejected(token);
    assertTrue(reason.startsWith("unknown signing key (key id 'evil??X-Injected: yes"), reason);
    assertTrue(reason.length() <= 203, reason);
  }

  @Test
  void malformedTokensAreRejectedWithoutEchoingThem() {
    assertEquals("malformed token: empty", rejected(""));
    assertEquals("malformed token: not a JWT", rejected("not-a-token"));
    assertEquals("malformed token: not a JWT", rejected("eyJhbGciOi.e30.c2ln"));
    assertTrue(rejected("a".repeat(20_000)).startsWith("malformed token: longer than"));
  }

  @Test
  void keysAreCachedAndARotatedKeyIsFetchedWhenATokenNamesIt() {
    for (int i = 0; i < 20; i++) verify(verifier, provider.sign(alice().build()));
    assertEquals(1, provider.jwksFetches());
    RSAKey old = provider.signingKey();
    provider.rotate();
    assertEquals("alice", verify(verifier, provider.sign(alice().build())).username());
    assertEquals(2, provider.jwksFetches());
    // Tokens signed before the rotation stay valid while the old key is published.
    verify(verifier, provider.sign(alice().build(), old));
    assertEquals(2, provider.jwksFetches());
  }

  @Test
  void theKeySetIsRefetchedAheadOfItsExpiryWhileTokensKeepComing() throws Exception {
    try (OidcVerifier shortCache = verifier("jwks-url = \"" + provider.jwksUrl() + "\"", "jwks-cache-ttl = 3s",
        "jwks-refresh-ahead = 1s", "jwks-timeout = 1s")) {
      verify(shortCache, provider.sign(alice().build()));
      Instant deadline = Instant.now().plusSeconds(15);
      while (provider.jwksFetches() < 3 && Instant.now().isBefore(deadline)) {
        assertEquals("alice", verify(shortCache, provider.sign(alice().build())).username());
        Thread.sleep(50); // polling: tokens keep coming while the cache ages
      }
      assertTrue(provider.jwksFetches() >= 3, "fetches: " + provider.jwksFetches());
    }
  }

  @Test
  void madeUpKeyIdsRefetchTheKeySetAtMostOncePerInterval() {
    try (OidcVerifier limited = verifier("jwks-url = \"" + provider.jwksUrl() + "\"", "jwks-min-refetch-interval = 1m")) {
      verify(limited, provider.sign(alice().build()));
      int afterFirst = provider.jwksFetches();
      for (int i = 0; i < 20; i++) {
        String reason = assertThrows(InvalidToken.class,
            () -> verify(limited, provider.sign(alice().build(), TestOidcProvider.newRsaKey()))).getMessage();
        assertTrue(reason.startsWith("unknown signing key"), reason);
      }
      assertTrue(provider.jwksFetches() - afterFirst <= 1, "fetches for 20 unknown key ids: " + (provider.jwksFetches() - afterFirst));
      // Known keys keep working meanwhile.
      verify(limited, provider.sign(alice().build()));
    }
  }

  @Test
  void whileTheJwksIsDownCachedKeysKeepWorkingAndAnUnknownKeyIsIssuerUnavailable() {
    verify(verifier, provider.sign(alice().build()));
    provider.down(true);
    assertEquals("alice", verify(verifier, provider.sign(alice().build())).username());
    RSAKey next = provider.rotate();
    IssuerUnavailable e = assertThrows(IssuerUnavailable.class, () -> verify(verifier, provider.sign(alice().build(), next)));
    assertTrue(e.getMessage().contains(next.getKeyID()), e.getMessage());
    provider.down(false);
    assertEquals("alice", verify(verifier, provider.sign(alice().build(), next)).username());
  }

  @Test
  void aJwksDownBeforeTheFirstFetchIsIssuerUnavailable() {
    provider.down(true);
    assertThrows(IssuerUnavailable.class, () -> verify(verifier, provider.sign(alice().build())));
    provider.down(false);
    verify(verifier, provider.sign(alice().build()));
  }

  @Test
  void theKeySetIsDiscoveredFromTheIssuer() {
    try (OidcVerifier discovering = verifier()) {
      assertEquals("alice", verify(discovering, provider.sign(alice().build())).username());
    }
  }

  @Test
  void discoveryThatNamesAnotherIssuerOrIsDownIsIssuerUnavailable() {
    try (OidcVerifier discovering = verifier()) {
      provider.down(true);
      assertThrows(IssuerUnavailable.class, () -> verify(discovering, provider.sign(alice().build())));
      provider.down(false);
      provider.discoveryIssuer("http://elsewhere.example");
      assertEquals("the issuer's metadata names another issuer",
          assertThrows(IssuerUnavailable.class, () -> verify(discovering, provider.sign(alice().build()))).getMessage());
      provider.discoveryIssuer(provider.issuer());
      verify(discovering, provider.sign(alice().build()));
    }
  }

  @Test
  void failuresArriveAsACompletionStageNotOnTheCallersThread() {
    var stage = verifier.verify("garbage").toCompletableFuture();
    CompletionException e = assertThrows(CompletionException.class, stage::join);
    assertInstanceOf(InvalidToken.class, e.getCause());
  }
}
