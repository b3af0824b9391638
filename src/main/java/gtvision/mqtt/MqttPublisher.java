package gtvision.mqtt;

import gtvision.camera.CameraEntity;
import gtvision.camera.CameraTags;
import gtvision.camera.readside.CameraEventProjections;
import gtvision.metrics.Metrics;
import gtvision.metrics.ProjectionLag;
import gtvision.persistence.Database;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.GroupedProjection;
import org.apache.pekko.projection.javadsl.Handler;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Publishes camera events to MQTT as {@link MqttTopics} maps them, like the Kafka publisher: one projection
 * per tag slice (a sharded daemon process), offsets in the read-side database, stored only after the broker
 * acknowledged every message of a group: at-least-once, a crash or a broker outage re-sends, never skips.
 * While the broker is away a group fails, and the projection restarts with its restart-backoff from its
 * last stored offset; the cameras and their journal never wait for MQTT.
 */
public final class MqttPublisher {
  static final String NAME = "mqtt";
  private static final int GROUP = 200;

  private MqttPublisher() {}

  static void init(ActorSystem<?> system, MqttConnection connection, MqttTopics topics, int maxInFlight) {
    ProjectionLag lag = new ProjectionLag(Metrics.get(system).registry(), NAME);
    Counter published = Counter.builder("gtv.mqtt.published")
        .description("Camera event messages the MQTT broker acknowledged")
        .register(Metrics.get(system).registry());
    // Every slice may run on one node: each gets its share of the node's window.
    int perSlice = Math.max(1, maxInFlight / CameraTags.SLICES);
    CameraEventProjections.runOverSlices(system, NAME, tag -> projection(system, ProjectionId.of(NAME, tag),
        CameraEventProjections.events(system, tag), connection, topics, perSlice, lag, published));
  }

  /** One slice; public so that tests can run the real handler over a test source. */
  public static GroupedProjection<Offset, EventEnvelope<CameraEntity.Event>> projection(ActorSystem<?> system,
      ProjectionId id, SourceProvider<Offset, EventEnvelope<CameraEntity.Event>> source, MqttConnection connection,
      MqttTopics topics, int inFlight, ProjectionLag lag, Counter published) {
    Database database = Database.get(system);
    Materializer materializer = Materializer.matFromSystem(system);
    return JdbcProjection.groupedWithinAsync(id, source, database::newSession,
            () -> new Publish(connection, topics, inFlight, lag, published, materializer), system)
        .withGroup(GROUP, Duration.ofMillis(100));
  }

  private static final class Publish extends Handler<List<EventEnvelope<CameraEntity.Event>>> {
    private final MqttConnection connection;
    private final MqttTopics topics;
    private final int inFlight;
    private final ProjectionLag lag;
    private final Counter published;
    private final Materializer materializer;

    Publish(MqttConnection connection, MqttTopics topics, int inFlight, ProjectionLag lag, Counter published,
        Materializer materializer) {
      this.connection = connection;
      this.topics = topics;
      this.inFlight = inFlight;
      this.lag = lag;
      this.published = published;
      this.materializer = materializer;
    }

    @Override
    public CompletionStage<Done> process(List<EventEnvelope<CameraEntity.Event>> envelopes) {
      List<MqttMessage> messages = new ArrayList<>();
      for (EventEnvelope<CameraEntity.Event> envelope : envelopes) {
        messages.addAll(topics.messagesFor(envelope.event(), envelope.sequenceNr()));
      }
      long newest = envelopes.isEmpty() ? 0 : envelopes.get(envelopes.size() - 1).timestamp();
      // In journal order, at most inFlight unacknowledged at once; the first failure fails the group, whose
      // offset is then not stored.
      return Source.from(messages)
          .mapAsync(inFlight, connection::publish)
          .runWith(Sink.ignore(), materializer)
          .thenApply(done -> {
            published.increment(messages.size());
            if (newest > 0) lag.processed(newest);
            return Done.getInstance();
          });
    }
  }
}
