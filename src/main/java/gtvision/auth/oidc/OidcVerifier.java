package gtvision.auth.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.text.ParseException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks bearer JWTs of an OpenID Connect provider: signature against the provider's published keys
 * (JWKS, cached, refreshed ahead of expiry, refetched when a token names a key id it does not know, kept
 * while the provider is unreachable), exact issuer, audience, expiry and not-before within the clock
 * skew. Thread-safe; the checks and every fetch of the provider's metadata or keys run on the executor
 * given, never on the caller's thread.
 */
public final class OidcVerifier implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OidcVerifier.class);
  // Tokens larger than this are not tokens (and are not parsed).
  private static final int MAX_TOKEN_CHARS = 16 * 1024;
  private static final int MAX_METADATA_BYTES = 256 * 1024;

  /** What a valid token says about its bearer. */
  public record VerifiedToken(String subject, String username, Set<String> roles, Instant expiresAt) {
    public VerifiedToken {
      roles = Set.copyOf(roles);
    }
  }

  /** The token is not acceptable (answer 401). The reason is safe to show: it never contains the token. */
  public static final class InvalidToken extends RuntimeException {
    public InvalidToken(String reason) {
      super(printable(reason), null, false, false);
    }
  }

  // A reason may quote the token's header (kid, alg, typ), which the sender chose: it goes into
  // responses and logs, so it is kept short and printable.
  private static String printable(String reason) {
    String clean = reason.replaceAll("[^\\x20-\\x7E]", "?");
    return clean.length() <= 200 ? clean : clean.substring(0, 200) + "...";
  }

  /** The provider's keys cannot be fetched and none kept fits the token (answer 503). */
  public static final class IssuerUnavailable extends RuntimeException {
    public IssuerUnavailable(String reason) {
      super(printable(reason), null, false, false);
    }
  }

  /** Whether the provider answered the last time the node asked it (discovery or key set). */
  public enum State { UNKNOWN, UP, DOWN }

  /**
   * What the node knows of its provider: UNKNOWN until the first fetch (at start, see {@link #checkProvider()}),
   * then UP or DOWN after each fetch of the discovery document or the key set. The reason names the URL
   * and what failed; it is for operators (the signed-in /health), never for token holders.
   */
  public record ProviderStatus(State state, String reason, Instant since) {}

  private final OidcSettings settings;
  private final Executor executor;
  private final DefaultResourceRetriever http;
  // Null until the key set's address is known (discovery is a blocking fetch: at start, or the first token).
  private volatile Keys keys;
  private volatile ProviderStatus status = new ProviderStatus(State.UNKNOWN, "not asked yet", Instant.now());
  // After a failed discovery, requests answer 503 at once until then, instead of each waiting for a timeout.
  private volatile long discoveryRetryAtNanos = System.nanoTime();

  /** The key source and what its fetches last did, so that "no key fits" can tell unknown from unreachable. */
  private record Keys(URL url, JWKSource<SecurityContext> source, RecordingRetriever retriever,
      DefaultJWTProcessor<SecurityContext> processor) {}

  public OidcVerifier(OidcSettings settings, Executor executor) {
    this.settings = settings;
    this.executor = executor;
    int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, settings.jwksTimeout().toMillis());
    this.http = new DefaultResourceRetriever(timeoutMillis, timeoutMillis, MAX_METADATA_BYTES);
  }

  public OidcSettings settings() {
    return settings;
  }

  public ProviderStatus status() {
    return status;
  }

  /**
   * Asks the provider now, on the executor: its discovery document (unless {@code jwks-url} is set) and
   * its key set, which stays cached for the first tokens. Completes with the status when the provider
   * answered with at least one key; fails with {@link IssuerUnavailable} (reason: the URL and what went
   * wrong) otherwise. A node calls it at start, so that a wrong issuer shows at once, not at the first token.
   */
  public CompletionStage<ProviderStatus> checkProvider() {
    return CompletableFuture.supplyAsync(() -> {
      Keys k;
      try {
        k = keys(true);
      } catch (IssuerUnavailable e) {
        throw new IssuerUnavailable(status.reason());
      }
      List<JWK> found;
      try {
        found = k.source().get(new JWKSelector(new JWKMatcher.Builder().build()), null);
      } catch (KeySourceException e) {
        if (status.state() != State.DOWN) down("the key set at " + k.url() + " cannot be fetched: " + e.getMessage());
        throw new IssuerUnavailable(status.reason());
      }
      if (found.isEmpty()) {
        down("the key set at " + k.url() + " holds no keys: no token can be verified");
        throw new IssuerUnavailable(status.reason());
      }
      return status;
    }, executor);
  }

  private void up(String reason) {
    if (status.state() != State.UP) status = new ProviderStatus(State.UP, reason, Instant.now());
  }

  private void down(String reason) {
    // Longer than a token's reason: it carries a URL and an exception message, and only operators see it.
    String clean = reason.replaceAll("[^\\x20-\\x7E]", "?");
    String r = clean.length() <= 500 ? clean : clean.substring(0, 500) + "...";
    if (status.state() != State.DOWN || !status.reason().equals(r)) status = new ProviderStatus(State.DOWN, r, Instant.now());
  }

  /**
   * The token's subject, user name and roles; fails with {@link InvalidToken} or {@link IssuerUnavailable}
   * (inside a {@link java.util.concurrent.CompletionException} for dependent stages).
   */
  public CompletionStage<VerifiedToken> verify(String bearerToken) {
    return CompletableFuture.supplyAsync(() -> verifyNow(bearerToken), executor);
  }

  private VerifiedToken verifyNow(String token) {
    SignedJWT jwt = parse(token);
    JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
    if (!settings.algorithms().contains(alg)) {
      throw new InvalidToken("algorithm " + alg + " is not allowed (allowed: " + settings.algorithms() + ")");
    }
    Keys k = keys(false);
    JWTClaimsSet claims;
    try {
      claims = k.processor().process(jwt, null);
    } catch (BadJWSException e) {
      throw new InvalidToken("bad signature");
    } catch (BadJWTException e) {
      throw new InvalidToken(claimsReason(e.getMessage()));
    } catch (BadJOSEException e) {
      // Anything but "no key" (a typ header that is no access token's): nimbus's reason is safe to show.
      if (!String.valueOf(e.getMessage()).contains("no matching key")) throw new InvalidToken("token rejected: " + e.getMessage());
      // The key selector found no key with the token's id and algorithm, after a refetch of the set.
      String kid = jwt.getHeader().getKeyID();
      String key = kid == null ? "no key id" : "key id '" + kid + "'";
      IOException fetchFailure = k.retriever().lastFailure();
      if (fetchFailure != null) {
        log.warn("The OpenID Connect provider's keys at {} cannot be fetched: {}", k.url(), fetchFailure.toString());
        throw new IssuerUnavailable("the issuer's keys cannot be fetched and none kept matches the token's " + key);
      }
      throw new InvalidToken("unknown signing key (" + key + ", algorithm " + alg + ")");
    } catch (RateLimitReachedException e) {
      // Fetched moments ago: the key still is not there.
      throw new InvalidToken("unknown signing key (key id '" + jwt.getHeader().getKeyID() + "')");
    } catch (KeySourceException e) {
      down("the key set at " + k.url() + " cannot be used: " + e.getMessage());
      log.warn("The OpenID Connect provider's keys at {} cannot be fetched: {}", k.url(), e.getMessage());
      throw new IssuerUnavailable("the issuer's keys cannot be fetched");
    } catch (JOSEException e) {
      throw new InvalidToken("the signature cannot be checked: " + e.getMessage());
    }
    String subject = claims.getSubject();
    String username = stringClaim(claims, "preferred_username");
    return new VerifiedToken(subject, username == null || username.isBlank() ? subject : username,
        OidcRoles.from(claims.getClaims(), settings.rolesClaim()), claims.getExpirationTime().toInstant());
  }

  private static SignedJWT parse(String token) {
    if (token == null || token.isBlank()) throw new InvalidToken("malformed token: empty");
    if (token.length() > MAX_TOKEN_CHARS) throw new InvalidToken("malformed token: longer than " + MAX_TOKEN_CHARS + " characters");
    JWT jwt;
    try {
      jwt = JWTParser.parse(token.strip());
    } catch (ParseException e) {
      throw new InvalidToken("malformed token: not a JWT");
    }
    if (jwt instanceof PlainJWT) throw new InvalidToken("algorithm none is not allowed: the token is not signed");
    if (jwt instanceof EncryptedJWT) throw new InvalidToken("encrypted tokens are not accepted");
    return (SignedJWT) jwt;
  }

  // nimbus's claim messages are stable and hold nothing secret; they are turned into ours.
  private static String claimsReason(String message) {
    String m = message == null ? "" : message;
    if (m.startsWith("Expired JWT")) return "token expired";
    if (m.contains("before use time")) return "token not yet valid (nbf)";
    if (m.contains("iss claim")) return "wrong issuer";
    if (m.contains("missing required claims")) return "required claims missing: " + m.substring(m.indexOf('['));
    if (m.contains("aud")) return "wrong audience";
    return "claims rejected: " + m;
  }

  private static String stringClaim(JWTClaimsSet claims, String name) {
    Object value = claims.getClaim(name);
    return value instanceof String s ? s : null;
  }

  /**
   * The key source, made at the first use: discovery needs the provider, the node's start must not wait
   * for it. {@code now}: the start-up check, which retries on its own schedule and so ignores the pause
   * that keeps failing tokens from asking a provider that just failed.
   */
  private Keys keys(boolean now) {
    Keys k = keys;
    if (k != null) return k;
    synchronized (this) {
      if (keys != null) return keys;
      if (!now && System.nanoTime() - discoveryRetryAtNanos < 0) {
        throw new IssuerUnavailable("the issuer's metadata cannot be fetched (a recent attempt failed)");
      }
      try {
        keys = newKeys(jwksUrl());
      } catch (IssuerUnavailable e) {
        discoveryRetryAtNanos = System.nanoTime() + settings.jwksMinRefetchInterval().toNanos();
        if (!now) log.warn("OpenID Connect provider not usable: {}", status.reason());
        throw e;
      }
      return keys;
    }
  }

  private URL jwksUrl() {
    if (settings.jwksUrl().isPresent()) return toUrl(settings.jwksUrl().get());
    URI discovery = settings.discoveryUrl();
    Map<String, Object> metadata;
    try {
      metadata = JSONObjectUtils.parse(http.retrieveResource(discovery.toURL()).getContent());
    } catch (IOException e) {
      down("OpenID Connect discovery at " + discovery + " failed: " + describe(e));
      throw new IssuerUnavailable("the issuer's metadata cannot be fetched");
    } catch (ParseException e) {
      down("OpenID Connect discovery at " + discovery + " answered no JSON object: " + e.getMessage());
      throw new IssuerUnavailable("the issuer's metadata is not valid JSON");
    }
    // OpenID Connect Discovery 1.0, 4.3: the metadata's issuer must be the one asked for.
    if (!settings.issuer().equals(metadata.get("issuer"))) {
      down("OpenID Connect discovery at " + discovery + " names issuer " + metadata.get("issuer")
          + ", not the configured " + settings.issuer());
      throw new IssuerUnavailable("the issuer's metadata names another issuer");
    }
    if (!(metadata.get("jwks_uri") instanceof String jwks)) {
      down("OpenID Connect discovery at " + discovery + " names no jwks_uri");
      throw new IssuerUnavailable("the issuer's metadata has no jwks_uri");
    }
    try {
      return toUrl(URI.create(jwks));
    } catch (IllegalArgumentException | IssuerUnavailable e) {
      down("OpenID Connect discovery at " + discovery + " names a jwks_uri that is not a URL");
      throw new IssuerUnavailable("the issuer's key set URL is not a URL");
    }
  }

  /** A fetch failure in an operator's words (HttpURLConnection says 404 as FileNotFoundException). */
  static String describe(IOException e) {
    if (e instanceof java.io.FileNotFoundException) return "HTTP 404 (not found; is the issuer URL right?)";
    if (e instanceof java.net.UnknownHostException) return "unknown host " + e.getMessage();
    if (e instanceof java.net.ConnectException) return "cannot connect (" + e.getMessage() + ")";
    if (e instanceof java.net.SocketTimeoutException) return "no answer in time (" + e.getMessage() + ")";
    return e.toString();
  }

  private static URL toUrl(URI uri) {
    try {
      return uri.toURL();
    } catch (IOException | IllegalArgumentException e) {
      throw new IssuerUnavailable("the issuer's key set URL is not a URL");
    }
  }

  private Keys newKeys(URL url) {
    // Every fetch of the key set, by a token or by nimbus' refresh, tells the status what the provider did.
    RecordingRetriever retriever = new RecordingRetriever(http, failure -> {
      if (failure == null) up("the key set at " + url + " was fetched");
      else down("the key set at " + url + " cannot be fetched: " + describe(failure));
    });
    long timeout = settings.jwksTimeout().toMillis();
    JWKSourceBuilder<SecurityContext> builder = JWKSourceBuilder.<SecurityContext>create(url, retriever)
        .cache(settings.jwksCacheTtl().toMillis(), timeout)
        .outageTolerant(settings.jwksOutageTolerance().toMillis())
        .retrying(true);
    if (!settings.jwksRefreshAhead().isZero()) {
      // nimbus would make a non-daemon thread of its own, which keeps a JVM alive if nobody closes this.
      ExecutorService refresher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "oidc-jwks-refresh");
        t.setDaemon(true);
        return t;
      });
      builder = builder.refreshAheadCache(settings.jwksRefreshAhead().toMillis(), null, refresher, true, null, false);
    }
    builder = settings.jwksMinRefetchInterval().isZero()
        ? builder.rateLimited(false)
        : builder.rateLimited(settings.jwksMinRefetchInterval().toMillis());
    JWKSource<SecurityContext> source = builder.build();

    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    // Access tokens say "JWT" (Keycloak) or "at+jwt" (RFC 9068); some providers leave typ out.
    processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(
        JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), new JOSEObjectType("application/at+jwt"), null));
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(settings.algorithms(), source));
    DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
        Set.of(settings.audience()),
        new JWTClaimsSet.Builder().issuer(settings.issuer()).build(),
        Set.of("sub", "exp", "iss"),
        null);
    claims.setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, settings.clockSkew().toSeconds()));
    processor.setJWTClaimsSetVerifier(claims);
    log.info("OpenID Connect tokens of {} for audience {} are checked against the keys at {}", settings.issuer(),
        settings.audience(), url);
    return new Keys(url, source, retriever, processor);
  }

  /** Stops the key cache's background refresh. */
  @Override
  public void close() {
    Keys k = keys;
    if (k != null && k.source() instanceof Closeable c) {
      try {
        c.close();
      } catch (IOException e) {
        log.debug("Closing the key source failed", e);
      }
    }
  }
}
