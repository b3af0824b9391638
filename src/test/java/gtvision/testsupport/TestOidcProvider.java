package gtvision.testsupport;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny OpenID Connect provider for tests that need tokens Keycloak would never issue (expired on
 * purpose, unsigned, signed with a key nobody published): it serves a discovery document and a JWKS on a
 * loopback port, signs tokens with its own RSA (and EC) keys, can rotate keys, and can be "down" (503).
 */
public final class TestOidcProvider implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(2);
  private final List<JWK> published = new CopyOnWriteArrayList<>();
  private final AtomicInteger jwksFetches = new AtomicInteger();
  private final AtomicBoolean down = new AtomicBoolean();
  private volatile String discoveryIssuer;
  private volatile RSAKey signingKey;

  public TestOidcProvider() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/jwks", ex -> {
      jwksFetches.incrementAndGet();
      respond(ex, new JWKSet(published).toString(true));
    });
    server.createContext("/.well-known/openid-configuration", ex -> respond(ex,
        "{\"issuer\":\"" + discoveryIssuer + "\",\"jwks_uri\":\"" + jwksUrl() + "\"}"));
    server.setExecutor(threads);
    server.start();
    discoveryIssuer = issuer();
    signingKey = newRsaKey();
    published.add(signingKey.toPublicJWK());
  }

  public String issuer() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public String jwksUrl() {
    return issuer() + "/jwks";
  }

  /** How often the JWKS was asked for (answered or not). */
  public int jwksFetches() {
    return jwksFetches.get();
  }

  /** While down, every request answers 503. */
  public void down(boolean isDown) {
    down.set(isDown);
  }

  /** The issuer the discovery document names (the real one unless changed). */
  public void discoveryIssuer(String issuer) {
    discoveryIssuer = issuer;
  }

  public RSAKey signingKey() {
    return signingKey;
  }

  /** A new signing key, published beside the old ones; returns it. */
  public RSAKey rotate() {
    RSAKey key = newRsaKey();
    published.add(key.toPublicJWK());
    signingKey = key;
    return key;
  }

  /** Publishes an EC P-256 key and returns it (its private part signs ES256 tokens). */
  public ECKey publishEcKey() {
    try {
      ECKey key = new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).keyID("ec-" + System.nanoTime()).generate();
      published.add(key.toPublicJWK());
      return key;
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Claims of a valid token for {@code subject}, for this issuer and {@code audience}, valid 5 minutes. */
  public JWTClaimsSet.Builder claims(String subject, String audience) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder().issuer(issuer()).audience(audience).subject(subject)
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)));
  }

  /** Signed RS256 with the current signing key. */
  public String sign(JWTClaimsSet claims) {
    return sign(claims, signingKey);
  }

  public String sign(JWTClaimsSet claims, RSAKey key) {
    try {
      return sign(claims, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(),
          new RSASSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  public String sign(JWTClaimsSet claims, ECKey key) {
    try {
      return sign(claims, new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(),
          new ECDSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String sign(JWTClaimsSet claims, JWSHeader header, JWSSigner signer) {
    try {
      SignedJWT jwt = new SignedJWT(header, claims);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An RSA key nobody published. */
  public static RSAKey newRsaKey() {
    try {
      return new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).keyID("rsa-" + System.nanoTime()).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private void respond(HttpExchange ex, String json) throws IOException {
    try (ex) {
      if (down.get()) {
        ex.sendResponseHeaders(503, -1);
        return;
      }
      byte[] body = json.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
