package gtvision.auth.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OidcSettingsTest {
  private static OidcSettings read(String... lines) {
    return OidcSettings.from(ConfigFactory.parseString("gtv.auth.oidc {\n" + String.join("\n", lines) + "\n}")
        .withFallback(ConfigFactory.parseResources("auth.conf")).resolve());
  }

  private static String refused(String... lines) {
    return assertThrows(IllegalArgumentException.class, () -> read(lines)).getMessage();
  }

  @Test
  void defaultsComeFromAuthConf() {
    OidcSettings s = read("issuer = \"https://sso.example.com/realms/gtvision\"");
    assertEquals("gtvision-api", s.audience());
    assertEquals("realm_access.roles", s.rolesClaim());
    assertEquals(Duration.ofSeconds(30), s.clockSkew());
    assertEquals(Optional.empty(), s.jwksUrl());
    assertEquals(Duration.ofMinutes(5), s.jwksCacheTtl());
    assertEquals(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), s.algorithms());
    assertEquals(URI.create("https://sso.example.com/realms/gtvision/.well-known/openid-configuration"), s.discoveryUrl());
  }

  @Test
  void anIssuerWithATrailingSlashIsKeptForTheExactMatchButNotDoubledInDiscovery() {
    OidcSettings s = read("issuer = \"https://tenant.example.com/\"");
    assertEquals("https://tenant.example.com/", s.issuer());
    assertEquals(URI.create("https://tenant.example.com/.well-known/openid-configuration"), s.discoveryUrl());
  }

  @Test
  void theIssuerIsRequiredAndMustBeAUrl() {
    assertEquals("gtv.auth.oidc.issuer (GTV_OIDC_ISSUER) must be set in oidc mode", refused());
    assertTrue(refused("issuer = \"sso.example.com\"").contains("must be an http(s) URL"));
    assertTrue(refused("issuer = \"https://sso.example.com\"", "jwks-url = \"ftp://x/keys\"").contains("GTV_OIDC_JWKS_URL"));
  }

  @Test
  void noneAndHmacAlgorithmsAreRefused() {
    for (String alg : new String[] {"none", "HS256", "HS512", "dir"}) {
      String reason = refused("issuer = \"https://sso.example.com\"", "algorithms = \"RS256," + alg + "\"");
      assertTrue(reason.contains("'" + alg + "' is not allowed"), reason);
    }
    assertTrue(refused("issuer = \"https://sso.example.com\"", "algorithms = \"\"").contains("at least one"));
    assertEquals(Set.of(JWSAlgorithm.PS256, JWSAlgorithm.ES384),
        read("issuer = \"https://sso.example.com\"", "algorithms = \"PS256, ES384\"").algorithms());
  }

  @Test
  void theCacheMustOutliveTheRefreshAhead() {
    assertTrue(refused("issuer = \"https://sso.example.com\"", "jwks-cache-ttl = 30s", "jwks-refresh-ahead = 30s")
        .contains("jwks-cache-ttl"));
    assertTrue(refused("issuer = \"https://sso.example.com\"", "jwks-min-refetch-interval = 5m")
        .contains("must be shorter than jwks-cache-ttl"));
  }
}
