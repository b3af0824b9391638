package gtvision.camera.stream;

import gtvision.http.ApiError;
import gtvision.http.ApiErrors;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
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
 * {@link LatestFrames} when the camera's stream runs here, otherwise from the node where it runs (asked
 * through {@link LatestFrameService}); 404 when no node has one (the camera does not stream, or has not
 * delivered a frame yet).
 */
public final class LatestFrameRoutes extends AllDirectives {
  private final LatestFrames latest;
  private final Executor blocking;
  private final ActorRef<LatestFrameService.Command> service;
  private final Scheduler scheduler;
  private final Duration askTimeout;

  /**
   * @param blocking where a decoded picture is encoded to JPEG (never on the HTTP threads)
   * @param askTimeout how long the service waits for the other nodes (the ask waits a second more)
   */
  public LatestFrameRoutes(LatestFrames latest, Executor blocking, ActorRef<LatestFrameService.Command> service, Scheduler scheduler,
      Duration askTimeout) {
    this.latest = latest;
    this.blocking = blocking;
    this.service = service;
    this.scheduler = scheduler;
    this.askTimeout = askTimeout;
  }

  public Route route() {
    return pathPrefix("api", () -> pathPrefix("cameras", () -> pathPrefix(PathMatchers.segment(), id ->
        path(PathMatchers.segment("frame").slash("latest"), () -> get(() -> frame(id))))));
  }

  private Route frame(String cameraId) {
    Optional<LatestFrames.Entry> entry = latest.get(cameraId);
    CompletionStage<LatestFrameService.Answer> answer = entry.isPresent()
        ? CompletableFuture.supplyAsync(() -> local(entry.get()), blocking)
        : AskPattern.ask(service, replyTo -> new LatestFrameService.Fetch(cameraId, replyTo), askTimeout.plusSeconds(1), scheduler);
    return onSuccess(answer, a -> {
      if (a instanceof LatestFrameService.Frame f) return complete(jpeg(f.jpeg(), f.capturedAt(), f.sequence()));
      int unanswered = ((LatestFrameService.NoFrame) a).unanswered();
      return complete(ApiErrors.response(StatusCodes.NOT_FOUND, ApiError.of("no frame of camera " + cameraId
          + " on any node (it does not stream, or has no frame yet"
          + (unanswered > 0 ? "; " + unanswered + " node(s) did not answer in time" : "") + ")")));
    });
  }

  private static LatestFrameService.Frame local(LatestFrames.Entry e) {
    return new LatestFrameService.Frame(e.jpeg(), e.frame().capturedAt(), e.frame().sequence());
  }

  private static HttpResponse jpeg(byte[] jpeg, Instant capturedAt, long sequence) {
    return HttpResponse.create()
        .withStatus(StatusCodes.OK)
        .withEntity(HttpEntities.create(MediaTypes.IMAGE_JPEG.toContentType(), jpeg))
        .addHeaders(List.of(
            RawHeader.create("Cache-Control", "no-store"),
            RawHeader.create("X-Frame-Captured-At", capturedAt.toString()),
            RawHeader.create("X-Frame-Sequence", Long.toString(sequence))));
  }
}
