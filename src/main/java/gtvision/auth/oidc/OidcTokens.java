package gtvision.auth.oidc;

import gtvision.auth.AuthFailure;
import gtvision.auth.Authentication;
import gtvision.auth.Principal;
import gtvision.auth.Role;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A provider's bearer tokens as GT-Vision principals (oidc mode): the name is preferred_username (sub
 * when there is none), the role the strongest of the token's roles we know (viewer &lt; operator &lt;
 * admin; ingest only when it is the only one). Roles we do not know are ignored; a valid token with
 * none of ours is a 403, a bad token a 401, a key set that cannot be fetched a 503.
 */
public final class OidcTokens implements Authentication.TokenVerifier, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OidcTokens.class);
  static final String NO_ROLE = "no GT-Vision role in the token";
  static final String KEYS_UNAVAILABLE = "the identity provider's keys cannot be fetched";

  private final OidcVerifier verifier;

  public OidcTokens(OidcVerifier verifier) {
    this.verifier = verifier;
  }

  /** A verifier for {@code settings} whose blocking fetches run on {@code blocking}. */
  public static OidcTokens start(OidcSettings settings, Executor blocking) {
    return new OidcTokens(new OidcVerifier(settings, blocking));
  }

  public OidcSettings settings() {
    return verifier.settings();
  }

  /** Asks the provider now (discovery and key set); see {@link OidcVerifier#checkProvider()}. */
  public CompletionStage<OidcVerifier.ProviderStatus> checkProvider() {
    return verifier.checkProvider();
  }

  @Override
  public Optional<Authentication.Provider> provider() {
    OidcVerifier.ProviderStatus status = verifier.status();
    return Optional.of(new Authentication.Provider(verifier.settings().issuer(), status.state().name(), status.reason(),
        status.since()));
  }

  @Override
  public CompletionStage<Principal> verify(String token) {
    return verifier.verify(token).handle((verified, error) -> {
      if (error == null) return principal(verified);
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      if (cause instanceof OidcVerifier.InvalidToken invalid) throw AuthFailure.unauthorized(invalid.getMessage());
      if (cause instanceof OidcVerifier.IssuerUnavailable unavailable) {
        // The detail (metadata or key set, which URL step failed) is for operators; the caller gets the gist.
        log.warn("OIDC token not verified, the provider cannot be reached: {}", unavailable.getMessage());
        throw new AuthFailure(503, KEYS_UNAVAILABLE);
      }
      throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
    });
  }

  static Principal principal(OidcVerifier.VerifiedToken token) {
    String name = token.username() != null && !token.username().isBlank() ? token.username() : token.subject();
    Role role = strongest(token.roles()).orElseThrow(() -> new AuthFailure(403, NO_ROLE));
    return Principal.user(name, role);
  }

  /** admin over operator over viewer; ingest only when the token has none of those. */
  static Optional<Role> strongest(Set<String> roles) {
    Role best = null;
    for (String name : roles) {
      Optional<Role> role = Role.parse(name);
      if (role.isEmpty()) continue;
      if (best == null || rank(role.get()) > rank(best)) best = role.get();
    }
    return Optional.ofNullable(best);
  }

  private static int rank(Role role) {
    return switch (role) {
      case INGEST -> 0;
      case VIEWER -> 1;
      case OPERATOR -> 2;
      case ADMIN -> 3;
    };
  }

  @Override
  public void close() {
    verifier.close();
  }
}
