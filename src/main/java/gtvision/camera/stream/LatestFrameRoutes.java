package gtvision.camera.stream;

import gtvision.http.ApiError;
import gtvision.http.ApiErrors;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/cameras/{id}/frame/latest}: the camera's newest sampled frame as JPEG, from this node's
 * {@link LatestFrames} (the node that runs the camera's stream); 404 when it has none (the camera is not
 * streaming here, or has not delivered a frame yet).
 */
public final class LatestFrameRoutes extends AllDirectives {
  private final LatestFrames latest;
  private final Executor blocking;

  /** @param blocking where a decoded picture is encoded to JPEG (never on the HTTP threads) */
  public LatestFrameRoutes(LatestFrames latest, Executor blocking) {
    this.latest = latest;
    this.blocking = blocking;
  }

  public Route route() {
    return pathPrefix("api", () -> pathPrefix("cameras", () -> pathPrefix(PathMatchers.segment(), id ->
        path(PathMatchers.segment("frame").slash("latest"), () -> get(() -> frame(id))))));
  }

  private Route frame(String cameraId) {
    Optional<LatestFrames.Entry> entry = latest.get(cameraId);
    if (entry.isEmpty()) {
      return complete(ApiErrors.response(StatusCodes.NOT_FOUND,
          ApiError.of("no frame of camera " + cameraId + " on this node (not streaming here, or no frame yet)")));
    }
    LatestFrames.Entry e = entry.get();
    return onSuccess(CompletableFuture.supplyAsync(e::jpeg, blocking), jpeg -> complete(HttpResponse.create()
        .withStatus(StatusCodes.OK)
        .withEntity(HttpEntities.create(MediaTypes.IMAGE_JPEG.toContentType(), jpeg))
        .addHeaders(List.of(
            RawHeader.create("Cache-Control", "no-store"),
            RawHeader.create("X-Frame-Captured-At", e.frame().capturedAt().toString()),
            RawHeader.create("X-Frame-Sequence", Long.toString(e.frame().sequence()))))));
  }
}
