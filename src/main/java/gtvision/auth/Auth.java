package gtvision.auth;

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
    Authentication authentication = new Authentication(settings, Database.get(system), blocking, Clock.systemUTC(),
        Optional.empty());
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
