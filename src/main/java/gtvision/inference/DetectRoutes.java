package gtvision.inference;

import com.typesafe.config.Config;
import gtvision.http.ApiError;
import gtvision.http.ApiErrors;
import gtvision.http.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.Multipart;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.stream.Materializer;

/**
 * {@code POST /api/detect/frame} and {@code POST /api/batch/detect}: multipart uploads sent through
 * the inference router (GPU first, AWS as fallback).
 */
public final class DetectRoutes extends AllDirectives {
  private final ActorSystem<?> system;
  private final ActorRef<InferenceRouter.Command> router;
  private final long maxImageBytes;
  private final long maxBatchBytes;
  private final int maxBatchImages;
  private final Duration timeout;
  private final Json json;
  private final int concurrency;
  private final AtomicInteger inFlight = new AtomicInteger();

  /** The upload routes with the node's JSON and the body limits of {@code gtv.http}. */
  public static DetectRoutes create(ActorSystem<?> system, ActorRef<InferenceRouter.Command> router) {
    Config http = system.settings().config().getConfig("gtv.http");
    return new DetectRoutes(system, router, http.getBytes("max-image-body"), http.getBytes("max-batch-body"),
        http.getInt("max-batch-images"), http.getDuration("detect-timeout"), http.getInt("detect-concurrency"));
  }

  public DetectRoutes(
      ActorSystem<?> system, ActorRef<InferenceRouter.Command> router, long maxImageBytes, long maxBatchBytes,
      int maxBatchImages, Duration timeout, int concurrency) {
    if (concurrency < 1) throw new IllegalArgumentException("gtv.http.detect-concurrency must be positive, not " + concurrency);
    this.system = system;
    this.concurrency = concurrency;
    this.router = router;
    this.maxImageBytes = maxImageBytes;
    this.maxBatchBytes = maxBatchBytes;
    this.maxBatchImages = maxBatchImages;
    this.timeout = timeout;
    this.json = Json.get(system);
  }

  public Route route() {
    return pathPrefix("api", () -> concat(
        path(segments("detect", "frame"), () -> post(() -> bounded(() -> withSizeLimit(maxImageBytes, this::detectFrame)))),
        path(segments("batch", "detect"), () -> post(() -> bounded(() -> withSizeLimit(maxBatchBytes, this::detectBatch))))));
  }

  /**
   * At most {@code gtv.http.detect-concurrency} uploads in this node at once, from the first body byte to
   * the answer: each holds its images in memory, so more would only queue memory, not work.
   */
  private Route bounded(java.util.function.Supplier<Route> inner) {
    if (inFlight.incrementAndGet() > concurrency) {
      inFlight.decrementAndGet();
      return complete(ApiErrors.response(StatusCodes.SERVICE_UNAVAILABLE,
              ApiError.of("more than " + concurrency + " uploads at once on this node, retry"))
          .addHeader(RetryAfter.create(1L)));
    }
    return mapRouteResultFuture(result -> result.whenComplete((r, e) -> inFlight.decrementAndGet()), inner);
  }

  private static org.apache.pekko.http.javadsl.server.PathMatcher0 segments(String first, String second) {
    return org.apache.pekko.http.javadsl.server.PathMatchers.segment(first).slash(second);
  }

  /** One upload: form fields and the file parts in the order they came. */
  private record Upload(List<byte[]> images, Optional<String> cameraId, Optional<String> detectPlates) {}

  private Route detectFrame() {
    return withUpload("image", upload -> {
      if (upload.images().isEmpty()) return complete(ApiErrors.badRequest("image", "an 'image' file part is required"));
      if (upload.images().size() > 1) return complete(ApiErrors.badRequest("image", "send one 'image' part; use /api/batch/detect for more"));
      return withOptions(upload, options -> ask(upload, options, (detected, ms) ->
          complete(StatusCodes.OK, DetectJson.FrameResponse.of(detected, ms), json.marshaller())));
    });
  }

  private Route detectBatch() {
    return withUpload("images", upload -> {
      if (upload.images().isEmpty()) return complete(ApiErrors.badRequest("images", "at least one 'images' file part is required"));
      if (upload.images().size() > maxBatchImages) {
        return complete(ApiErrors.badRequest("images", "at most " + maxBatchImages + " images per batch"));
      }
      return withOptions(upload, options -> ask(upload, options, (detected, ms) ->
          complete(StatusCodes.OK, DetectJson.BatchResponse.of(detected, ms), json.marshaller())));
    });
  }

  private Route withUpload(String filePart, Function<Upload, Route> inner) {
    return entity(Unmarshaller.entityToMultipartFormData(), form -> {
      CompletionStage<Multipart.FormData.Strict> strict =
          form.toStrict(timeout.toMillis(), Materializer.matFromSystem(system));
      return onSuccess(strict, parts -> {
        List<byte[]> images = new ArrayList<>();
        Optional<String> cameraId = Optional.empty();
        Optional<String> plates = Optional.empty();
        for (Multipart.FormData.BodyPart.Strict part : parts.getStrictParts()) {
          String name = part.getName();
          if (name.equals(filePart)) {
            images.add(part.getEntity().getData().toArray());
          } else if (name.equals("cameraId")) {
            cameraId = Optional.of(part.getEntity().getData().utf8String().strip());
          } else if (name.equals("detectPlates")) {
            plates = Optional.of(part.getEntity().getData().utf8String().strip());
          } else {
            return complete(ApiErrors.badRequest(name, "unknown form field '" + name + "'"));
          }
        }
        return inner.apply(new Upload(images, cameraId.filter(s -> !s.isEmpty()), plates));
      });
    });
  }

  private Route withOptions(Upload upload, Function<DetectOptions, Route> inner) {
    if (upload.detectPlates().isPresent()) {
      String v = upload.detectPlates().get();
      if (!v.equals("true") && !v.equals("false")) {
        return complete(ApiErrors.badRequest("detectPlates", "detectPlates must be true or false"));
      }
      return inner.apply(DetectOptions.plates(Boolean.parseBoolean(v)));
    }
    return inner.apply(DetectOptions.DEFAULT);
  }

  private interface OnDetected {
    Route apply(InferenceRouter.Detected detected, double totalMs);
  }

  private Route ask(Upload upload, DetectOptions options, OnDetected onDetected) {
    long started = System.nanoTime();
    CompletionStage<InferenceRouter.Reply> reply = AskPattern.ask(
        router,
        replyTo -> new InferenceRouter.Detect(upload.images(), options, upload.cameraId(), replyTo),
        timeout,
        system.scheduler());
    return onSuccess(reply, r -> {
      double ms = (System.nanoTime() - started) / 1e6;
      if (r instanceof InferenceRouter.Detected detected) return onDetected.apply(detected, ms);
      if (r instanceof InferenceRouter.Rejected rejected) {
        return complete(ApiErrors.badRequest(upload.images().size() == 1 ? "image" : "images", rejected.reason()));
      }
      if (r instanceof InferenceRouter.Busy busy) {
        // An upload that names a camera queues as that camera's frame: when the detectors are busy it is
        // skipped like one, and the client may simply try again.
        return complete(unavailable("the detectors are busy: " + busy.reason()).addHeader(RetryAfter.create(1L)));
      }
      return complete(unavailable("no inference provider available: " + ((InferenceRouter.Unavailable) r).reason()));
    });
  }

  private static HttpResponse unavailable(String message) {
    return ApiErrors.response(StatusCodes.SERVICE_UNAVAILABLE, ApiError.of(message));
  }
}
