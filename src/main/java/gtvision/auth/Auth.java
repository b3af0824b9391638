package gtvision.auth;

import gtvision.auth.oidc.OidcSettings;
import gtvision.auth.oidc.OidcTokens;
import gtvision.auth.oidc.OidcVerifier;
import gtvision.persistence.Database;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the node's authentication in the configured mode. */
public final class Auth {
  private static final Logger log = LoggerFactory.getLogger(Auth.class);

  private Auth() {}

  public static Authentication start(ActorSystem<?> system) {
    AuthSettings settings = AuthSettings.from(system.settings().config());
    Executor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig("gtv.blocking-dispatcher"));
    Optional<Authentication.TokenVerifier> providerTokens = Optional.empty();
    if (settings.mode() == AuthSettings.Mode.OIDC) {
      OidcSettings oidc = OidcSettings.from(system.settings().config());
      OidcTokens tokens = OidcTokens.start(oidc, blocking);
      system.getWhenTerminated().thenRun(tokens::close);
      system.log().info("OIDC mode: bearer tokens from issuer {} for audience {} (API keys accepted too)",
          oidc.issuer(), oidc.audience());
      providerTokens = Optional.of(tokens);
      checkProvider(system, tokens, 1);
    }
    Authentication authentication = new Authentication(settings, Database.get(system), blocking, Clock.systemUTC(),
        providerTokens);
    bootstrap(system, authentication, 1);
    return authentication;
  }

  /** The first admin and the token secret need the database: retried until it answers. */
  private static void bootstrap(ActorSystem<?> system, Authentication authentication, int attempt) {
    authentication.bootstrap().whenComplete((done, error) -> {
      if (error == null) return;
      long delay = backoffSeconds(attempt);
      system.log().warn("Authentication set-up failed (attempt {}), retrying in {} s: {}", attempt, delay, error.getMessage());
      retryLater(system, delay, () -> bootstrap(system, authentication, attempt + 1));
    });
  }

  /**
   * Asks the identity provider once at start, on the blocking dispatcher, so that a wrong
   * GTV_OIDC_ISSUER (or a provider that is down) shows in the log and in /health at once instead of at
   * the first token. The node does not wait for it: it serves meanwhile (API keys work, provider tokens
   * are answered 503), and the check is retried with the bootstrap's back-off until the provider answers.
   */
  private static void checkProvider(ActorSystem<?> system, OidcTokens tokens, int attempt) {
    tokens.checkProvider().whenComplete((status, error) -> {
      String issuer = tokens.settings().issuer();
      if (error == null) {
        log.info("OpenID Connect provider of {} is up ({}); its keys are cached for the first tokens", issuer, status.reason());
        return;
      }
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      // The status holds the whole reason (the URL and what it answered); the exception's message is cut short.
      String reason = cause instanceof OidcVerifier.IssuerUnavailable
          ? tokens.provider().map(Authentication.Provider::reason).orElse(cause.getMessage()) : cause.toString();
      long delay = backoffSeconds(attempt);
      log.error("OpenID Connect provider of {} (GTV_OIDC_ISSUER) is not usable (attempt {}): {}. Its tokens are answered 503"
          + " until it is (API keys keep working); next attempt in {} s", issuer, attempt, reason, delay);
      retryLater(system, delay, () -> checkProvider(system, tokens, attempt + 1));
    });
  }

  // 2, 4, 8, 16, 30, 30, ... seconds.
  private static long backoffSeconds(int attempt) {
    return Math.min(30, 1L << Math.min(attempt, 5));
  }

  private static void retryLater(ActorSystem<?> system, long seconds, Runnable retry) {
    // A node that is stopping has no scheduler left to ask, and nothing to retry for.
    if (system.getWhenTerminated().toCompletableFuture().isDone()) return;
    system.scheduler().scheduleOnce(Duration.ofSeconds(seconds), retry, system.executionContext());
  }
}
