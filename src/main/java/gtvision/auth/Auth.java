package gtvision.auth;

import gtvision.auth.oidc.OidcSettings;
import gtvision.auth.oidc.OidcTokens;
import gtvision.persistence.Database;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;

/** Starts the node's authentication in the configured mode. */
public final class Auth {
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
      long delay = Math.min(30, 1L << Math.min(attempt, 5));
      system.log().warn("Authentication set-up failed (attempt {}), retrying in {} s: {}", attempt, delay, error.getMessage());
      system.scheduler().scheduleOnce(java.time.Duration.ofSeconds(delay),
          () -> bootstrap(system, authentication, attempt + 1), system.executionContext());
    });
  }
}
