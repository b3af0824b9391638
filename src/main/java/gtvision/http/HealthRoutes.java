package gtvision.http;

import gtvision.auth.AuthGate;
import gtvision.metrics.Metrics;
import gtvision.persistence.Database;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /health} (200 when the node is up and its journal database answers; the body also
 * shows each inference provider and breaker) and {@code GET /metrics}.
 */
public final class HealthRoutes extends AllDirectives {
  private static final Duration DATABASE_TIMEOUT = Duration.ofSeconds(2);
  private final ActorSystem<?> system;
  private final Database database;
  private final Metrics metrics;
  private final Map<String, Supplier<?>> sections;
  private final Json json;
  private final String authMode;
  private final Function<Boolean, Optional<Map<String, Object>>> auth;

  /**
   * {@code sections}: what capabilities add to the body, by key (inference: its providers and breakers);
   * reported, never gated on. {@code auth}: the {@code auth} part, given whether the caller is signed in
   * (detail) or not (what a load balancer may see; empty: nothing).
   */
  public HealthRoutes(ActorSystem<?> system, Map<String, Supplier<?>> sections,
      Function<Boolean, Optional<Map<String, Object>>> auth) {
    this.sections = Map.copyOf(sections);
    this.json = Json.get(system);
    this.system = system;
    this.database = Database.get(system);
    this.metrics = Metrics.get(system);
    this.authMode = system.settings().config().getString("gtv.auth.mode").strip().toLowerCase(java.util.Locale.ROOT);
    this.auth = auth;
  }

  /** The mode alone, for nodes (route tests) without a provider to report. */
  public static Function<Boolean, Optional<Map<String, Object>>> modeOnly(ActorSystem<?> system) {
    String mode = system.settings().config().getString("gtv.auth.mode").strip().toLowerCase(java.util.Locale.ROOT);
    return detailed -> detailed ? Optional.of(Map.of("mode", mode)) : Optional.empty();
  }

  public Route route() {
    return concat(
        // No caller at all: no gate was composed in front (route tests); the gate always adds one.
        path("health", () -> get(() -> optionalAttribute(AuthGate.CALLER,
            caller -> health(caller.isEmpty() || caller.get().principal().isPresent())))),
        path("metrics", () -> get(() -> complete(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, metrics.scrape())))));
  }

  /**
   * Load balancers see only up or down (and, in oidc mode, whether the identity provider answers);
   * signed-in callers see the node, its cluster, inference and the provider's reason. The provider's
   * state is reported, never gated on: API keys work without it, and a provider outage must not make
   * load balancers drop every node.
   */
  private Route health(boolean detailed) {
    return onSuccess(database.ping(DATABASE_TIMEOUT), databaseUp -> {
      Cluster cluster = Cluster.get(system);
      MemberStatus self = cluster.selfMember().status();
      boolean nodeUp = self.equals(MemberStatus.up()) || self.equals(MemberStatus.weaklyUp());
      boolean up = nodeUp && databaseUp;
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("status", up ? "up" : "down");
      if (authMode.equals("off")) body.put("warning", "authentication is off (gtv.auth.mode = off): anyone may do anything");
      auth.apply(detailed).ifPresent(a -> body.put("auth", a));
      if (!detailed) return complete(up ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE, body, json.marshaller());
      body.put("node", cluster.selfMember().address().toString());
      body.put("cluster", self.toString().toLowerCase());
      body.put("journal", databaseUp ? "up" : "down");
      body.put("appVersion", cluster.selfMember().appVersion().version());
      // Reported, not gated on: a node without a usable inference provider still serves cameras.
      sections.forEach((key, section) -> body.put(key, section.get()));
      return complete(up ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE, body, json.marshaller());
    });
  }
}
