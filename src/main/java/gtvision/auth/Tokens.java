package gtvision.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.UUID;

/**
 * The node's own tokens (built-in mode): HS256 JWTs signed with the cluster's secret, so that any node
 * verifies what another issued without asking anyone. Two kinds: access tokens (login) and short-lived
 * tickets a browser puts in the live feed's URL (it cannot set headers on a WebSocket).
 */
public final class Tokens {
  static final String ISSUER = "gtvision";
  private static final String ACCESS = "access";
  private static final String TICKET = "ws-ticket";
  private final MACSigner signer;
  private final MACVerifier verifier;
  private final Duration ttl;
  private final Duration ticketTtl;
  private final Clock clock;

  /** A token and when it expires. */
  public record Issued(String token, Instant expiresAt, String id) {}

  /** A token that is malformed, forged, expired or of the wrong kind; the reason is safe to show. */
  public static final class InvalidToken extends Exception {
    public InvalidToken(String reason) {
      super(reason);
    }
  }

  public Tokens(byte[] secret, Duration ttl, Duration ticketTtl, Clock clock) {
    try {
      this.signer = new MACSigner(secret);
      this.verifier = new MACVerifier(secret);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("the token secret must be at least 32 bytes", e);
    }
    this.ttl = ttl;
    this.ticketTtl = ticketTtl;
    this.clock = clock;
  }

  public Issued access(Principal principal) {
    return sign(principal, ACCESS, ttl);
  }

  public Issued ticket(Principal principal) {
    return sign(principal, TICKET, ticketTtl);
  }

  public Principal verifyAccess(String token) throws InvalidToken {
    return verify(token, ACCESS).principal();
  }

  /** A verified ticket and its id (a ticket is good for one connection). */
  public record Ticket(Principal principal, String id, Instant expiresAt) {}

  public Ticket verifyTicket(String token) throws InvalidToken {
    return verify(token, TICKET);
  }

  private Issued sign(Principal principal, String type, Duration lifetime) {
    Instant now = clock.instant();
    Instant expires = now.plus(lifetime);
    String id = UUID.randomUUID().toString();
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .subject(principal.name())
        .claim("role", principal.role().wireName())
        .claim("typ", type)
        .jwtID(id)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(expires))
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a token", e);
    }
    return new Issued(jwt.serialize(), expires, id);
  }

  private Ticket verify(String token, String type) throws InvalidToken {
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException e) {
      throw new InvalidToken("malformed token");
    }
    // Only the algorithm we sign with: never "none", never a key of another kind.
    if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) throw new InvalidToken("token algorithm not accepted");
    try {
      if (!jwt.verify(verifier)) throw new InvalidToken("bad token signature");
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      if (!ISSUER.equals(claims.getIssuer())) throw new InvalidToken("token from another issuer");
      if (!type.equals(claims.getStringClaim("typ"))) throw new InvalidToken("not a " + type + " token");
      Date expires = claims.getExpirationTime();
      if (expires == null || !expires.toInstant().isAfter(clock.instant())) throw new InvalidToken("token expired");
      Optional<Role> role = Role.parse(claims.getStringClaim("role"));
      if (role.isEmpty() || claims.getSubject() == null) throw new InvalidToken("token without subject or role");
      return new Ticket(Principal.user(claims.getSubject(), role.get()), claims.getJWTID(), expires.toInstant());
    } catch (JOSEException | ParseException e) {
      throw new InvalidToken("bad token");
    }
  }
}
