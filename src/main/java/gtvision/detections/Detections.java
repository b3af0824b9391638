package gtvision.detections;

import gtvision.camera.CameraEntity;
import gtvision.evidence.EvidenceStore;
import gtvision.persistence.Database;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The node's detection outputs: the live feed, the read-side and Kafka projections, and the routes over
 * them (search, one detection, its evidence frame, the live feed). Main wires it; this class decides
 * nothing else.
 */
public final class Detections {
  private final ActorSystem<?> system;
  private final DetectionsSettings settings;
  private final EvidenceStore evidence;
  private final LiveFeed live;
  private final Executor blocking;

  private Detections(ActorSystem<?> system, EvidenceStore evidence) {
    this.system = system;
    this.settings = DetectionsSettings.from(system.settings().config());
    this.blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig("gtv.blocking-dispatcher"));
    this.evidence = evidence;
    this.live = new LiveFeed(system);
  }

  /** {@code evidence}: where the frames that detections point at are read from. */
  public static Detections start(ActorSystem<?> system, EvidenceStore evidence) {
    return new Detections(system, evidence);
  }

  /** What camera entities tell about persisted detections: the live feed. */
  public CameraEntity.DetectionsListener listener() {
    return live;
  }

  /** Starts the projections; call once the projection offset tables exist. */
  public void startProjections() {
    DetectionProjection.init(system);
    settings.kafkaBootstrap().ifPresent(bootstrap -> KafkaPublisher.init(system, bootstrap, settings.kafkaTopic()));
  }

  public Route routes() {
    DetectionRoutes detections = new DetectionRoutes(system, Database.get(system), evidence, settings, blocking);
    LiveRoutes liveRoutes = new LiveRoutes(system, live, settings.liveBuffer(), settings.liveSlowConsumerTimeout());
    return new AllDirectives() {}.concat(detections.route(), liveRoutes.route());
  }
}
