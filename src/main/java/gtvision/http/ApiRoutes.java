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

  public static Route create(ActorSystem<?> system, Cameras cameras, Inference.Handle inference) {
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
                d.concat(cameraRoutes.route(), detectRoutes.route(), healthRoutes.route()))));
  }
}
