package gtvision.auth.oidc;

import com.nimbusds.jose.JWSAlgorithm;
import com.typesafe.config.Config;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * {@code gtv.auth.oidc} (auth.conf): which provider's tokens the node accepts and how it keeps the
 * provider's keys. Checked when read, so that a node with a wrong setting does not start.
 *
 * @param rolesClaim a claim name, or a dotted path into the claims ({@code realm_access.roles})
 * @param jwksUrl empty: discovered from the issuer's {@code /.well-known/openid-configuration}
 * @param jwksMinRefetchInterval at most one fetch of the key set in this time (an unknown key id asks for
 *     one); zero: no limit
 * @param jwksOutageTolerance how long keys fetched before keep working while the key set cannot be fetched
 */
public record OidcSettings(
    String issuer, String audience, String rolesClaim, Duration clockSkew, Optional<URI> jwksUrl,
    Duration jwksCacheTtl, Duration jwksRefreshAhead, Duration jwksTimeout, Duration jwksMinRefetchInterval,
    Duration jwksOutageTolerance, Set<JWSAlgorithm> algorithms) {

  public OidcSettings {
    if (issuer == null || issuer.isBlank()) {
      throw new IllegalArgumentException("gtv.auth.oidc.issuer (GTV_OIDC_ISSUER) must be set in oidc mode");
    }
    if (audience == null || audience.isBlank()) {
      throw new IllegalArgumentException("gtv.auth.oidc.audience (GTV_OIDC_AUDIENCE) must not be empty");
    }
    if (rolesClaim == null || rolesClaim.isBlank()) {
      throw new IllegalArgumentException("gtv.auth.oidc.roles-claim (GTV_OIDC_ROLES_CLAIM) must not be empty");
    }
    httpUrl(issuer, "gtv.auth.oidc.issuer (GTV_OIDC_ISSUER)");
    notNegative(clockSkew, "gtv.auth.oidc.clock-skew");
    notNegative(jwksMinRefetchInterval, "gtv.auth.oidc.jwks-min-refetch-interval");
    notNegative(jwksRefreshAhead, "gtv.auth.oidc.jwks-refresh-ahead");
    positive(jwksTimeout, "gtv.auth.oidc.jwks-timeout");
    positive(jwksOutageTolerance, "gtv.auth.oidc.jwks-outage-tolerance");
    // nimbus refreshes ahead only when the refresh (and its timeout) fits before the cached set expires.
    if (jwksCacheTtl.compareTo(jwksRefreshAhead.plus(jwksTimeout)) <= 0) {
      throw new IllegalArgumentException("gtv.auth.oidc.jwks-cache-ttl (" + jwksCacheTtl + ") must be longer than"
          + " jwks-refresh-ahead + jwks-timeout (" + jwksRefreshAhead.plus(jwksTimeout) + ")");
    }
    // nimbus refuses a rate limit that would outlast the cache (the cache could then never be refreshed).
    if (jwksMinRefetchInterval.compareTo(jwksCacheTtl) >= 0) {
      throw new IllegalArgumentException("gtv.auth.oidc.jwks-min-refetch-interval (" + jwksMinRefetchInterval
          + ") must be shorter than jwks-cache-ttl (" + jwksCacheTtl + ")");
    }
    algorithms = Set.copyOf(algorithms);
    if (algorithms.isEmpty()) {
      throw new IllegalArgumentException("gtv.auth.oidc.algorithms (GTV_OIDC_ALGORITHMS) must name at least one algorithm");
    }
  }

  public static OidcSettings from(Config root) {
    Config c = root.getConfig("gtv.auth.oidc");
    String jwks = c.getString("jwks-url").strip();
    return new OidcSettings(
        c.getString("issuer").strip(),
        c.getString("audience").strip(),
        c.getString("roles-claim").strip(),
        c.getDuration("clock-skew"),
        jwks.isEmpty() ? Optional.empty() : Optional.of(httpUrl(jwks, "gtv.auth.oidc.jwks-url (GTV_OIDC_JWKS_URL)")),
        c.getDuration("jwks-cache-ttl"),
        c.getDuration("jwks-refresh-ahead"),
        c.getDuration("jwks-timeout"),
        c.getDuration("jwks-min-refetch-interval"),
        c.getDuration("jwks-outage-tolerance"),
        algorithms(c.getString("algorithms")));
  }

  /** Where the provider's metadata is, per OpenID Connect Discovery 1.0 section 4. */
  public URI discoveryUrl() {
    // The issuer is compared exactly (some end in '/'), but the path is appended to it without one.
    String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    return URI.create(base + "/.well-known/openid-configuration");
  }

  /**
   * Asymmetric signature algorithms only: {@code none} would accept any forged token, and an HMAC
   * algorithm with a provider's public key as the "secret" is the classic key-confusion forgery.
   */
  static Set<JWSAlgorithm> algorithms(String commaSeparated) {
    Set<JWSAlgorithm> result = new LinkedHashSet<>();
    for (String name : Arrays.stream(commaSeparated.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList()) {
      JWSAlgorithm alg = JWSAlgorithm.parse(name);
      // EdDSA would need Tink on the class path, so RSA and EC it is.
      boolean asymmetric = JWSAlgorithm.Family.RSA.contains(alg) || JWSAlgorithm.Family.EC.contains(alg);
      if (!asymmetric) {
        throw new IllegalArgumentException("gtv.auth.oidc.algorithms (GTV_OIDC_ALGORITHMS): '" + name
            + "' is not allowed; use RSA or EC signature algorithms such as RS256, PS256 or ES256"
            + " (never none or HS*)");
      }
      result.add(alg);
    }
    return result;
  }

  private static URI httpUrl(String value, String name) {
    try {
      URI uri = new URI(value);
      if (!("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme())) || uri.getHost() == null) {
        throw new IllegalArgumentException(name + " must be an http(s) URL, not '" + value + "'");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(name + " is not a URL: '" + value + "'");
    }
  }

  private static void notNegative(Duration d, String name) {
    if (d.isNegative()) throw new IllegalArgumentException(name + " must not be negative, not " + d);
  }

  private static void positive(Duration d, String name) {
    if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive, not " + d);
  }
}
