package gtvision.http;

import com.typesafe.config.Config;
import gtvision.camera.Cameras;
import gtvision.inference.Inference;
import gtvision.metrics.Metrics;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** The whole HTTP surface of a node, with JSON errors and request metrics around it. */
public final class ApiRoutes extends AllDirectives {
  private ApiRoutes() {}

  /** {@code extra}: routes of other packages (detections), under the same error handling and metrics. */
  public static Route create(ActorSystem<?> system, Cameras cameras, Inference.Handle inference, Route... extra) {
    Config http = system.settings().config().getConfig("gtv.http");
    CameraRoutes cameraRoutes =
        new CameraRoutes(
            cameras,
            http.getBytes("max-json-body"),
            http.getInt("default-page-size"),
            http.getInt("max-page-size"));
    DetectRoutes detectRoutes =
        new DetectRoutes(
            system,
            inference.router(),
            http.getBytes("max-image-body"),
            http.getBytes("max-batch-body"),
            http.getInt("max-batch-images"),
            http.getDuration("detect-timeout"));
    HealthRoutes healthRoutes = new HealthRoutes(system, inference.health());
    HttpMetrics httpMetrics = new HttpMetrics(Metrics.get(system).registry());
    ApiRoutes d = new ApiRoutes();
    return httpMetrics.measured(
        d.handleExceptions(ApiErrors.exceptions(), () ->
            d.handleRejections(ApiErrors.rejections(), () ->
                d.concat(cameraRoutes.route(), concatAll(d, extra), detectRoutes.route(), healthRoutes.route()))));
  }

  private static Route concatAll(ApiRoutes d, Route[] routes) {
    return routes.length == 0 ? d.reject() : d.concat(routes[0], java.util.Arrays.copyOfRange(routes, 1, routes.length));
  }
}
