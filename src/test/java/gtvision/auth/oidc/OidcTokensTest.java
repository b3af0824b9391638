package gtvision.auth.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.RSAKey;
import com.typesafe.config.ConfigFactory;
import gtvision.auth.AuthFailure;
import gtvision.auth.Principal;
import gtvision.auth.Role;
import gtvision.testsupport.TestOidcProvider;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Provider tokens as principals: names, the strongest role we know, and 401 vs 403 vs 503. */
class OidcTokensTest {
  private static final String AUDIENCE = "gtvision-api";
  private TestOidcProvider provider;
  private ExecutorService blocking;
  private OidcTokens tokens;

  @BeforeEach
  void start() throws Exception {
    provider = new TestOidcProvider();
    blocking = Executors.newFixedThreadPool(2);
    String config = "gtv.auth.oidc {\n issuer = \"" + provider.issuer() + "\"\n jwks-url = \"" + provider.jwksUrl()
        + "\"\n jwks-min-refetch-interval = 0s\n}";
    tokens = OidcTokens.start(OidcSettings.from(ConfigFactory.parseString(config)
        .withFallback(ConfigFactory.parseResources("auth.conf")).resolve()), blocking);
  }

  @AfterEach
  void stop() {
    tokens.close();
    blocking.shutdownNow();
    provider.close();
  }

  private Principal principal(String token) {
    try {
      return tokens.verify(token).toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private String token(String subject, Map<String, Object> extra) {
    var claims = provider.claims(subject, AUDIENCE);
    extra.forEach(claims::claim);
    return provider.sign(claims.build());
  }

  private static Map<String, Object> realmRoles(String... roles) {
    return Map.of("realm_access", Map.of("roles", List.of(roles)));
  }

  @Test
  void theNameIsThePreferredUsernameAndTheRoleTheStrongestOfOurs() {
    Map<String, Object> claims = new java.util.HashMap<>(realmRoles("offline_access", "viewer", "admin", "operator"));
    claims.put("preferred_username", "adam");
    Principal adam = principal(token("0b7c-uuid", claims));
    assertEquals("adam", adam.name());
    assertEquals(Role.ADMIN, adam.role());
    assertEquals(Role.OPERATOR, principal(token("olga", realmRoles("viewer", "operator", "uma_authorization"))).role());
  }

  @Test
  void withoutPreferredUsernameTheSubjectIsTheName() {
    Principal p = principal(token("service-7", realmRoles("viewer")));
    assertEquals("service-7", p.name());
    assertEquals(Role.VIEWER, p.role());
  }

  @Test
  void ingestIsTheRoleOnlyWhenItIsTheOnlyOneOfOurs() {
    assertEquals(Role.INGEST, principal(token("producer", realmRoles("ingest", "default-roles-gtvision"))).role());
    assertEquals(Role.VIEWER, principal(token("both", realmRoles("ingest", "viewer"))).role());
    assertTrue(principal(token("producer", realmRoles("ingest"))).mayIngest("cam-1"));
  }

  @Test
  void aValidTokenWithNoneOfOurRolesIsForbidden() {
    AuthFailure none = assertThrows(AuthFailure.class, () -> principal(token("nobody", realmRoles("offline_access", "superuser"))));
    assertEquals(403, none.status());
    assertEquals("no GT-Vision role in the token", none.getMessage());
    AuthFailure noClaim = assertThrows(AuthFailure.class, () -> principal(token("nobody", Map.of())));
    assertEquals(403, noClaim.status());
  }

  @Test
  void badTokensAreUnauthorizedWithTheVerifiersReason() {
    Instant past = Instant.now().minusSeconds(3600);
    var expired = provider.claims("alice", AUDIENCE).claim("realm_access", Map.of("roles", List.of("admin")))
        .issueTime(Date.from(past.minusSeconds(60))).expirationTime(Date.from(past)).build();
    AuthFailure e = assertThrows(AuthFailure.class, () -> principal(provider.sign(expired)));
    assertEquals(401, e.status());
    assertTrue(e.getMessage().contains("expired"), e.getMessage());
    AuthFailure wrongAudience = assertThrows(AuthFailure.class, () -> principal(provider.sign(
        provider.claims("alice", "billing").claim("realm_access", Map.of("roles", List.of("admin"))).build())));
    assertEquals(401, wrongAudience.status());
    AuthFailure malformed = assertThrows(AuthFailure.class, () -> principal("not.a.jwt"));
    assertEquals(401, malformed.status());
    assertFalse(malformed.getMessage().contains("not.a.jwt"), malformed.getMessage());
  }

  @Test
  void keysThatCannotBeFetchedAreServiceUnavailable() {
    String first = token("alice", realmRoles("viewer"));
    assertEquals(Role.VIEWER, principal(first).role());
    provider.down(true);
    // The key fetched before keeps working ...
    assertEquals(Role.VIEWER, principal(first).role());
    // ... a token signed by a key published meanwhile cannot be checked.
    RSAKey rotated = provider.rotate();
    String fresh = provider.sign(provider.claims("alice", AUDIENCE).claim("realm_access", Map.of("roles", List.of("viewer"))).build(),
        rotated);
    AuthFailure down = assertThrows(AuthFailure.class, () -> principal(fresh));
    assertEquals(503, down.status());
    assertEquals("the identity provider's keys cannot be fetched", down.getMessage());
    assertInstanceOf(AuthFailure.class, down);
  }
}
