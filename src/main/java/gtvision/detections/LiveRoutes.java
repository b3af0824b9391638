package gtvision.detections;

import com.fasterxml.jackson.core.JsonProcessingException;
import gtvision.camera.CameraEntity.DetectionsRecorded;
import gtvision.http.Json;
import java.time.Duration;
import java.util.Arrays;
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
 * {@code GET /api/live?camera=a,b} (WebSocket): every detection event as it is persisted anywhere in
 * the cluster, as {@link DetectionMessage} JSON text messages. Each connection has a bounded buffer; a
 * client that falls {@code buffer} messages behind gets a final {@code {"type":"closed","reason":...}}
 * message and the connection ends, and one that does not read at all is cut after the slow-consumer
 * timeout: nothing is buffered without bound.
 */
public final class LiveRoutes extends AllDirectives {
  private final LiveFeed feed;
  private final int buffer;
  private final Duration slowConsumerTimeout;
  private final Json json;

  public LiveRoutes(ActorSystem<?> system, LiveFeed feed, int buffer, Duration slowConsumerTimeout) {
    this.json = Json.get(system);
    this.feed = feed;
    this.buffer = buffer;
    this.slowConsumerTimeout = slowConsumerTimeout;
  }

  public Route route() {
    return pathPrefix("api", () -> path("live", () -> get(() -> parameterOptional("camera", camera -> {
      Set<String> cameras = camera.map(LiveRoutes::cameraSet).orElse(Set.of());
      return handleWebSocketMessages(Flow.fromSinkAndSourceCoupled(Sink.<Message>ignore(), messages(cameras)));
    }))));
  }

  private static Set<String> cameraSet(String param) {
    return Set.of(Arrays.stream(param.split(",")).map(String::strip).filter(s -> !s.isEmpty()).distinct()
        .toArray(String[]::new));
  }

  /** One connection's outgoing messages; everything is created per materialization. */
  Source<Message, NotUsed> messages(Set<String> cameras) {
    return Source.<String, NotUsed>fromMaterializer((materializer, attributes) -> {
          CompletableFuture<String> closed = new CompletableFuture<>();
          Source<String, NotUsed> events = Source.<String>queue(buffer).mapMaterializedValue(queue -> {
            var subscriber = feed.subscribe(event -> {
              if (!cameras.isEmpty() && !cameras.contains(event.cameraId())) return true;
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

  private String json(DetectionsRecorded event) {
    return write(DetectionMessage.of(event, null));
  }

  private String write(Object value) {
    try {
      return json.mapper().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
