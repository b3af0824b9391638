package gtvision.http;

import gtvision.metrics.Metrics;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The whole HTTP surface of a node: the routes of every capability (each built beside its capability) and
 * {@code /health}, {@code /metrics}, under one error handling and one set of request metrics. Knows no
 * capability: Main hands it their routes.
 */
public final class ApiRoutes extends AllDirectives {
  private ApiRoutes() {}

  /**
   * @param gate what every request passes first (authentication, limits); it sees errors of the routes
   *     as responses, so that a rejection is never retried against another principal
   * @param capabilities the routes of the capabilities, tried in order
   * @param health what capabilities add to {@code GET /health}, by key
   */
  public static Route create(ActorSystem<?> system, UnaryOperator<Route> gate, List<Route> capabilities,
      Map<String, Supplier<?>> health) {
    return create(system, gate, capabilities, health, HealthRoutes.modeOnly(system));
  }

  /**
   * The same with what {@code GET /health} shows of authentication ({@code auth}: given whether the
   * caller is signed in, the {@code auth} part of the body; empty: none).
   */
  public static Route create(ActorSystem<?> system, UnaryOperator<Route> gate, List<Route> capabilities,
      Map<String, Supplier<?>> health, Function<Boolean, Optional<Map<String, Object>>> auth) {
    HealthRoutes healthRoutes = new HealthRoutes(system, health, auth);
    HttpMetrics httpMetrics = new HttpMetrics(Metrics.get(system).registry());
    ApiRoutes d = new ApiRoutes();
    Route all = d.concat(healthRoutes.route(), capabilities.toArray(Route[]::new));
    return httpMetrics.measured(d.handleExceptions(ApiErrors.exceptions(), () -> d.handleRejections(ApiErrors.rejections(),
        () -> gate.apply(d.handleRejections(ApiErrors.rejections(), () -> all)))));
  }
}
