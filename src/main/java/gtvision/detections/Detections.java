package gtvision.detections;

import gtvision.camera.CameraEntity;
import gtvision.camera.FrameAnalyser;
import gtvision.metrics.Metrics;
import gtvision.persistence.Database;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The node's detection outputs: the evidence store (and its sweeper), the live feed, the read-side
 * and Kafka projections, and the routes over them. Main wires it; this class decides nothing else.
 */
public final class Detections {
  private final ActorSystem<?> system;
  private final DetectionsSettings settings;
  private final EvidenceStore evidence;
  private final LiveFeed live;
  private final Executor blocking;
  private final MeterRegistry registry;

  private Detections(ActorSystem<?> system) {
    this.system = system;
    this.settings = DetectionsSettings.from(system.settings().config());
    this.blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig("gtv.blocking-dispatcher"));
    this.registry = Metrics.get(system).registry();
    this.evidence = evidenceStore(system, settings.evidence(), blocking);
    this.live = new LiveFeed(system);
  }

  public static Detections start(ActorSystem<?> system) {
    Detections detections = new Detections(system);
    system.log().info("Evidence frames go to {}", detections.evidence);
    return detections;
  }

  private static EvidenceStore evidenceStore(ActorSystem<?> system, DetectionsSettings.Evidence e, Executor blocking) {
    if (e.store() == DetectionsSettings.StoreKind.S3) {
      S3EvidenceStore store = new S3EvidenceStore(e.s3());
      system.getWhenTerminated().thenRun(store::close);
      return store;
    }
    FileEvidenceStore store = new FileEvidenceStore(e.dir(), blocking);
    EvidenceSweeper sweeper = new EvidenceSweeper(store.root(), e, Clock.systemUTC());
    // The bucket's lifecycle rules, for the filesystem: one pass soon after start, then periodically.
    system.scheduler().scheduleWithFixedDelay(Duration.ofSeconds(30), e.sweepInterval(),
        () -> CompletableFuture.runAsync(sweeper::sweep, blocking), system.executionContext());
    return store;
  }

  /** {@code analyser} with each frame that has detections stored as evidence first. */
  public FrameAnalyser withEvidence(FrameAnalyser analyser) {
    return new EvidenceAnalyser(analyser, evidence, settings.evidence().framesPrefix(), settings.evidence().timeout(),
        blocking, registry);
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
    IngestService ingest = new IngestService(system, settings.ingest(), registry);
    DetectionRoutes detections = new DetectionRoutes(Database.get(system), evidence, ingest, settings, blocking);
    LiveRoutes liveRoutes = new LiveRoutes(live, settings.liveBuffer(), settings.liveSlowConsumerTimeout());
    return new AllDirectives() {}.concat(detections.route(), liveRoutes.route());
  }
}
