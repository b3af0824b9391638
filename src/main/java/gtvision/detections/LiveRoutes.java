package gtvision.detections;

import com.fasterxml.jackson.core.JsonProcessingException;
import gtvision.camera.CameraEntity;
import gtvision.camera.CameraEntity.DetectionsRecorded;
import gtvision.objects.ObjectMessage;
import gtvision.alerts.AlertMessage;
import com.typesafe.config.Config;
import gtvision.auth.AuthGate;
import gtvision.http.ApiError;
import gtvision.http.ApiErrors;
import gtvision.http.Json;
import java.net.URI;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * {@code GET /api/live?camera=a,b} (WebSocket): every detection and tracked-object event as it is
 * persisted anywhere in the cluster, as {@link DetectionMessage} ({@code "type":"detections"}) and
 * {@link ObjectMessage} ({@code "type":"object"}) and {@link AlertMessage} ({@code "type":"alert"}) JSON text messages. Each connection has a bounded buffer; a
 * client that falls {@code buffer} messages behind gets a final {@code {"type":"closed","reason":...}}
 * message and the connection ends, and one that does not read at all is cut after the slow-consumer
 * timeout: nothing is buffered without bound.
 */
public final class LiveRoutes extends AllDirectives {
  private final LiveFeed feed;
  private final int buffer;
  private final Duration slowConsumerTimeout;
  private final Json json;
  private final Set<String> allowedOrigins;
  private final LiveConnections connections;

  public LiveRoutes(ActorSystem<?> system, LiveFeed feed, int buffer, Duration slowConsumerTimeout) {
    this.json = Json.get(system);
    Config ws = system.settings().config().getConfig("gtv.http.websocket");
    this.allowedOrigins = Set.copyOf(Arrays.stream(ws.getString("allowed-origins").split(","))
        .map(String::strip).filter(o -> !o.isEmpty()).toList());
    this.connections = new LiveConnections(ws.getInt("max-per-client"), ws.getInt("max-connections"));
    this.feed = feed;
    this.buffer = buffer;
    this.slowConsumerTimeout = slowConsumerTimeout;
  }

  public Route route() {
    return pathPrefix("api", () -> path("live", () -> get(() -> parameterOptional("camera", camera -> parameterOptional("type", type ->
        optionalHeaderValueByName("Origin", origin -> optionalHeaderValueByName("Host", host -> {
          if (origin.isPresent() && !originAllowed(origin.get(), host)) {
            return complete(ApiErrors.response(StatusCodes.FORBIDDEN, ApiError.of("origin not allowed: " + origin.get())));
          }
          Set<String> types = type.map(LiveRoutes::list).orElse(Set.of());
          Optional<String> unknown = types.stream().filter(t -> !TYPES.contains(t)).findFirst();
          if (unknown.isPresent()) {
            return complete(ApiErrors.response(StatusCodes.BAD_REQUEST,
                new ApiError("type must be one or more of " + String.join(", ", TYPES) + ", not " + unknown.get(), "type")));
          }
          return extractUpgradeToWebSocket(upgrade -> optionalAttribute(AuthGate.CALLER, caller -> {
            String client = caller.map(AuthGate.Caller::bucket).orElse("unknown");
            Optional<String> full = connections.open(client);
            if (full.isPresent()) return complete(ApiErrors.response(StatusCodes.TOO_MANY_REQUESTS, ApiError.of(full.get())));
            Set<String> cameras = camera.map(LiveRoutes::list).orElse(Set.of());
            // The slot is given back when the connection ends.
            Source<Message, NotUsed> out = messages(cameras, types).watchTermination((mat, done) -> {
              done.whenComplete((d, e) -> connections.close(client));
              return mat;
            });
            return complete(upgrade.handleMessagesWith(Flow.fromSinkAndSourceCoupled(Sink.<Message>ignore(), out)));
          }));
        })))))));
  }

  /** A browser's Origin: the node's own host, or one of gtv.http.websocket.allowed-origins. */
  private boolean originAllowed(String origin, Optional<String> host) {
    if (allowedOrigins.contains(origin)) return true;
    try {
      URI o = URI.create(origin);
      String authority = o.getRawAuthority();
      return host.isPresent() && authority != null && authority.equalsIgnoreCase(host.get());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The record types a client may ask for; none asked: all of them. */
  static final List<String> TYPES = List.of(DetectionMessage.TYPE, ObjectMessage.TYPE, AlertMessage.TYPE);

  private static Set<String> list(String param) {
    return Set.of(Arrays.stream(param.split(",")).map(String::strip).filter(s -> !s.isEmpty()).distinct()
        .toArray(String[]::new));
  }

  Source<Message, NotUsed> messages(Set<String> cameras) {
    return messages(cameras, Set.of());
  }

  /**
   * One connection's outgoing messages of {@code cameras} (none: all) and record {@code types} (none: all);
   * everything is created per materialization. A page that wants only alerts (the dashboard's landing
   * page) asks for them, so every camera's detections do not fill its buffer.
   */
  Source<Message, NotUsed> messages(Set<String> cameras, Set<String> types) {
    return Source.<String, NotUsed>fromMaterializer((materializer, attributes) -> {
          CompletableFuture<String> closed = new CompletableFuture<>();
          Source<String, NotUsed> events = Source.<String>queue(buffer).mapMaterializedValue(queue -> {
            var subscriber = feed.subscribe(event -> {
              if (!cameras.isEmpty() && !cameras.contains(event.cameraId())) return true;
              if (!types.isEmpty() && !types.contains(type(event))) return true;
              QueueOfferResult result = queue.offer(json(event));
              if (result == QueueOfferResult.enqueued()) return true;
              closed.complete(closeMessage("slow consumer: more than " + buffer + " messages behind"));
              return false;
            });
            closed.whenComplete((reason, error) -> subscriber.tell(LiveSubscriber.Stop.INSTANCE));
            return NotUsed.getInstance();
          });
          // The close message overtakes whatever is still buffered, then the stream (and the socket) ends.
          return events
              .mergePreferred(Source.completionStage(closed), true, false)
              .takeWhile(text -> !text.startsWith(CLOSED_PREFIX), true)
              .backpressureTimeout(slowConsumerTimeout)
              .watchTermination((mat, done) -> {
                done.whenComplete((d, error) -> closed.complete(closeMessage("connection ended")));
                return mat;
              });
        })
        .<Message>map(TextMessage::create)
        .mapMaterializedValue(ignored -> NotUsed.getInstance());
  }

  private static final String CLOSED_PREFIX = "{\"type\":\"closed\"";

  String closeMessage(String reason) {
    return CLOSED_PREFIX + ",\"reason\":" + write(reason) + "}";
  }

  private static String type(CameraEntity.Event event) {
    if (event instanceof CameraEntity.ObjectEvent) return ObjectMessage.TYPE;
    if (event instanceof CameraEntity.AlertRaised) return AlertMessage.TYPE;
    return DetectionMessage.TYPE;
  }

  private String json(CameraEntity.Event event) {
    if (event instanceof CameraEntity.ObjectEvent o) return write(ObjectMessage.of(o, null));
    if (event instanceof CameraEntity.AlertRaised a) return write(AlertMessage.of(a, null));
    return write(DetectionMessage.of((DetectionsRecorded) event, null));
  }

  private String write(Object value) {
    try {
      return json.mapper().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
