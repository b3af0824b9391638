package gtvision.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import gtvision.camera.CameraEntity;
import gtvision.camera.readside.CameraTable;
import gtvision.http.ApiError;
import gtvision.http.ApiErrors;
import gtvision.http.Json;
import gtvision.persistence.Database;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * Bulk ingest behind {@link IngestRoutes}: every item validated
 * before anything is written (a rejected request writes nothing and names the item), the cameras'
 * existence checked on the read side, then one atomic write per camera (an {@code IngestDetections}
 * command, one event per frame, coalesced with concurrent requests' writes to the same camera) and the
 * answer only once every write is durable.
 */
final class IngestService {
  /**
   * How long a camera seen on the read side is trusted to exist without asking the database again. A
   * camera removed within it passes this check, and its entity still takes the write within the
   * removal grace (longer than this), so a request is never half written.
   */
  private static final long KNOWN_CAMERA_TTL_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final ActorSystem<?> system;
  private final ActorRef<IngestCoalescer.Command> coalescer;
  // Camera id -> System.nanoTime() when the read side last confirmed it (only existing cameras).
  private final Map<String, Long> knownCameras = new ConcurrentHashMap<>();
  private final Database database;
  private final IngestSettings limits;
  private final Clock clock;
  private final MeterRegistry registry;
  private final Counter detectionsAccepted;
  private final Json json;

  IngestService(ActorSystem<?> system, IngestSettings limits, MeterRegistry registry) {
    this.json = Json.get(system);
    this.system = system;
    this.coalescer = system.systemActorOf(
        IngestCoalescer.create(ClusterSharding.get(system), limits.timeout(), limits.writeReleaseAfter(),
            limits.removalGrace()),
        "detections-ingest-coalescer", Props.empty());
    this.database = Database.get(system);
    this.limits = limits;
    this.clock = Clock.systemUTC();
    this.registry = registry;
    this.detectionsAccepted = Counter.builder("gtv.detections.ingested")
        .description("Detections accepted by bulk ingest and made durable")
        .register(registry);
  }

  void requestOutcome(String outcome) {
    Counter.builder("gtv.detections.ingest.requests")
        .description("Bulk ingest requests by outcome")
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }

  CompletionStage<HttpResponse> ingest(IngestRequest request) {
    return ingest(request, null);
  }

  /** {@code traceParent}: the request's span (null: not traced), carried by every frame it writes. */
  CompletionStage<HttpResponse> ingest(IngestRequest request, String traceParent) {
    Optional<IngestValidator.Problem> problem =
        IngestValidator.check(request, limits.maxItems(), clock.instant(), limits.maxClockSkew());
    if (problem.isPresent()) return invalid(problem.get().field(), problem.get().message());
    IngestValidator.Batch batch = IngestValidator.group(request, limits.provider());
    return existingCameras(batch.byCamera().keySet()).thenCompose(existing -> {
      for (Map.Entry<String, Integer> first : batch.firstIndex().entrySet()) {
        if (!existing.contains(first.getKey())) {
          return invalid("detections[" + first.getValue() + "].cameraId", "camera " + first.getKey() + " not found");
        }
      }
      return write(batch, traceParent);
    });
  }

  /**
   * Those of {@code cameras} that exist: recently confirmed ones from memory, the rest from the read side
   * (one query per request saved under steady ingest; unknown cameras are never cached, so a camera is
   * accepted as soon as the read side has it).
   */
  private CompletionStage<Set<String>> existingCameras(Set<String> cameras) {
    long now = System.nanoTime();
    Set<String> unknown = new HashSet<>();
    for (String camera : cameras) {
      Long seen = knownCameras.get(camera);
      if (seen == null || now - seen > KNOWN_CAMERA_TTL_NANOS) unknown.add(camera);
    }
    if (unknown.isEmpty()) return CompletableFuture.completedFuture(cameras);
    return database.run(c -> CameraTable.existingCameras(c, unknown)).thenApply(found -> {
      found.forEach(camera -> knownCameras.put(camera, now));
      Set<String> existing = new HashSet<>(cameras);
      unknown.stream().filter(camera -> !found.contains(camera)).forEach(existing::remove);
      return existing;
    });
  }

  private CompletionStage<HttpResponse> write(IngestValidator.Batch batch, String traceParent) {
    List<CompletableFuture<CameraEntity.Reply>> writes = new ArrayList<>();
    List<String> writtenCameras = new ArrayList<>();
    int events = 0;
    for (var entry : batch.byCamera().entrySet()) {
      writtenCameras.add(entry.getKey());
      events += entry.getValue().size();
      List<CameraEntity.DetectionGroup> groups = traceParent == null ? entry.getValue()
          : entry.getValue().stream().map(g -> g.withTraceParent(traceParent)).toList();
      writes.add(AskPattern.<IngestCoalescer.Command, CameraEntity.Reply>ask(coalescer,
              replyTo -> new IngestCoalescer.Write(entry.getKey(), groups, replyTo),
              limits.timeout(), system.scheduler())
          .toCompletableFuture());
    }
    int eventCount = events;
    return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).handle((ignored, error) -> {
      if (error != null) {
        requestOutcome("error");
        return ApiErrors.response(StatusCodes.SERVICE_UNAVAILABLE,
            ApiError.of("the cameras did not confirm the write in time; retry (items of a camera are written all or none)"));
      }
      for (int i = 0; i < writes.size(); i++) {
        if (writes.get(i).join() instanceof CameraEntity.Rejected rejected) {
          // Only a camera removed longer than the removal grace ago, yet still on the read side (a stalled
          // projection), gets here; other cameras of the request may have written. Name its first item.
          String camera = writtenCameras.get(i);
          requestOutcome("invalid");
          return ApiErrors.badRequest("detections[" + batch.firstIndex().get(camera) + "].cameraId", rejected.message());
        }
      }
      requestOutcome("accepted");
      detectionsAccepted.increment(batch.size());
      return HttpResponse.create().withStatus(StatusCodes.OK).withEntity(HttpEntities
          .create(ContentTypes.APPLICATION_JSON, json(
              new IngestAccepted(batch.size(), batch.byCamera().size(), eventCount))));
    });
  }

  private CompletionStage<HttpResponse> invalid(String field, String message) {
    requestOutcome("invalid");
    return CompletableFuture.completedFuture(ApiErrors.badRequest(field, message));
  }

  private byte[] json(Object value) {
    try {
      return json.mapper().writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
