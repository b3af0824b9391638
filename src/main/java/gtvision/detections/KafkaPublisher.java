package gtvision.detections;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import gtvision.alerts.AlertMessage;
import gtvision.camera.CameraEntity;
import gtvision.camera.readside.CameraEventProjections;
import gtvision.http.Json;
import gtvision.metrics.Metrics;
import gtvision.objects.ObjectMessage;
import gtvision.metrics.ProjectionLag;
import gtvision.persistence.Database;
import gtvision.tracing.Tracing;
import io.micrometer.core.instrument.Counter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.kafka.ProducerSettings;
import org.apache.pekko.kafka.javadsl.SendProducer;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.GroupedProjection;
import org.apache.pekko.projection.javadsl.Handler;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * Publishes every detection and tracked-object event to Kafka, keyed by camera id (so one camera's
 * events stay in order on one partition), as {@link DetectionMessage}, {@link ObjectMessage} and
 * {@link AlertMessage} JSON (told apart by {@code type}). At-least-once: the projection stores its
 * offset only after the broker acknowledged every record of a group, so a crash re-sends, never skips.
 */
public final class KafkaPublisher {
  static final String NAME = "detections-kafka";

  private KafkaPublisher() {}

  public static void init(ActorSystem<?> system, String bootstrap, String topic) {
    ProducerSettings<String, String> settings =
        ProducerSettings.create(system, new StringSerializer(), new StringSerializer()).withBootstrapServers(bootstrap);
    SendProducer<String, String> producer = new SendProducer<>(settings, system);
    // Projections stop before the producer closes: their last sends still reach the broker.
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-kafka-producer",
        producer::close);
    ProjectionLag lag = new ProjectionLag(Metrics.get(system).registry(), NAME);
    Counter published = Counter.builder("gtv.detections.published")
        .description("Detection events the Kafka broker acknowledged")
        .register(Metrics.get(system).registry());
    Database database = Database.get(system);
    CameraEventProjections.runOverSlices(system, NAME, tag -> projection(system, database, producer, topic, lag, published, tag));
    system.log().info("Publishing detections to Kafka topic {} on {}", topic, bootstrap);
  }

  static GroupedProjection<Offset, EventEnvelope<CameraEntity.Event>> projection(ActorSystem<?> system,
      Database database, SendProducer<String, String> producer, String topic, ProjectionLag lag, Counter published,
      String tag) {
    return JdbcProjection.groupedWithinAsync(
            ProjectionId.of(NAME, tag),
            CameraEventProjections.events(system, tag),
            database::newSession,
            () -> new Publish(producer, topic, lag, published, Json.get(system).mapper(), Tracing.get(system)),
            system)
        .withGroup(200, Duration.ofMillis(100));
  }

  private static final class Publish extends Handler<List<EventEnvelope<CameraEntity.Event>>> {
    private final SendProducer<String, String> producer;
    private final String topic;
    private final ProjectionLag lag;
    private final Counter published;
    private final ObjectMapper mapper;
    private final Tracing tracing;

    Publish(SendProducer<String, String> producer, String topic, ProjectionLag lag, Counter published,
        ObjectMapper mapper, Tracing tracing) {
      this.tracing = tracing;
      this.mapper = mapper;
      this.producer = producer;
      this.topic = topic;
      this.lag = lag;
      this.published = published;
    }

    @Override
    public CompletionStage<Done> process(List<EventEnvelope<CameraEntity.Event>> envelopes) {
      // All sends of the group go out at once (the producer batches them); the group completes, and
      // its offset is stored, only when every one was acknowledged.
      List<CompletableFuture<?>> sends = new ArrayList<>();
      for (EventEnvelope<CameraEntity.Event> envelope : envelopes) {
        String json = record(mapper, envelope.event(), envelope.sequenceNr());
        Span span = Span.getInvalid();
        if (json != null && envelope.event() instanceof CameraEntity.DetectionsRecorded recorded
            && recorded.traceParent() != null && tracing.enabled()) {
          span = publishSpan(recorded);
        }
        if (json != null) {
          ProducerRecord<String, String> record = new ProducerRecord<>(topic, envelope.event().cameraId(), json);
          String parent = Tracing.traceParent(span);
          // The message carries the trace on to its consumers, as W3C trace context in a header.
          if (parent != null) record.headers().add("traceparent", parent.getBytes(StandardCharsets.US_ASCII));
          Span sending = span;
          sends.add(producer.send(record).toCompletableFuture().whenComplete((metadata, error) -> {
            if (error != null) Tracing.failed(sending, error);
            sending.end();
          }));
        }
      }
      long newest = envelopes.isEmpty() ? 0 : envelopes.get(envelopes.size() - 1).timestamp();
      return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
        published.increment(sends.size());
        if (newest > 0) lag.processed(newest);
        return Done.getInstance();
      });
    }

    private Span publishSpan(CameraEntity.DetectionsRecorded recorded) {
      Span span = tracing.child("publish " + topic, SpanKind.PRODUCER, recorded.traceParent());
      span.setAttribute("messaging.system", "kafka");
      span.setAttribute("messaging.destination.name", topic);
      span.setAttribute(Tracing.CAMERA, recorded.cameraId());
      span.setAttribute(Tracing.FRAME, recorded.frameSequence());
      return span;
    }
  }

  /** The Kafka record's JSON of a camera event ({@code sequenceNr}: its place in the camera's journal); null for none. */
  static String record(ObjectMapper mapper, CameraEntity.Event event, long sequenceNr) {
    Object message = null;
    if (event instanceof CameraEntity.DetectionsRecorded recorded) {
      message = DetectionMessage.of(recorded, sequenceNr);
    } else if (event instanceof CameraEntity.ObjectEvent object) {
      message = ObjectMessage.of(object, sequenceNr);
    } else if (event instanceof CameraEntity.AlertRaised alert) {
      message = AlertMessage.of(alert, sequenceNr);
    }
    if (message == null) return null;
    try {
      return mapper.writeValueAsString(message);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
