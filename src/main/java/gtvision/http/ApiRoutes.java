package gtvision.http;

import com.typesafe.config.Config;
import gtvision.camera.Cameras;
import gtvision.metrics.Metrics;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** The whole HTTP surface of a node, with JSON errors and request metrics around it. */
public final class ApiRoutes extends AllDirectives {
  private ApiRoutes() {}

  public static Route create(ActorSystem<?> system, Cameras cameras) {
    Config http = system.settings().config().getConfig("gtv.http");
    CameraRoutes cameraRoutes =
        new CameraRoutes(
            cameras,
            http.getBytes("max-json-body"),
            http.getInt("default-page-size"),
            http.getInt("max-page-size"));
    HealthRoutes healthRoutes = new HealthRoutes(system);
    HttpMetrics httpMetrics = new HttpMetrics(Metrics.get(system).registry());
    ApiRoutes d = new ApiRoutes();
    return httpMetrics.measured(
        d.handleExceptions(ApiErrors.exceptions(), () ->
            d.handleRejections(ApiErrors.rejections(), () ->
                d.concat(cameraRoutes.route(), healthRoutes.route()))));
  }
}
