package gtvision.evidence;

import gtvision.camera.stream.FrameAnalyser;
import gtvision.tracing.Tracing;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;

/**
 * The node's evidence frames: the store the settings name (filesystem with its sweeper, or S3) and the
 * analyser wrapper that stores each frame with detections before they are recorded. Main wires it.
 */
public final class Evidence {
  private final EvidenceSettings settings;
  private final EvidenceStore store;
  private final Executor blocking;
  private final MeterRegistry registry;
  private final Tracing tracing;

  private Evidence(EvidenceSettings settings, EvidenceStore store, Executor blocking, MeterRegistry registry,
      Tracing tracing) {
    this.tracing = tracing;
    this.settings = settings;
    this.store = store;
    this.blocking = blocking;
    this.registry = registry;
  }

  public static Evidence start(ActorSystem<?> system, MeterRegistry registry) {
    EvidenceSettings settings = EvidenceSettings.from(system.settings().config());
    Executor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig("gtv.blocking-dispatcher"));
    Evidence evidence = new Evidence(settings, store(system, settings, blocking), blocking, registry,
        Tracing.get(system));
    system.log().info("Evidence frames go to {}", evidence.store);
    return evidence;
  }

  private static EvidenceStore store(ActorSystem<?> system, EvidenceSettings e, Executor blocking) {
    if (e.store() == EvidenceSettings.StoreKind.S3) {
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

  public EvidenceStore store() {
    return store;
  }

  /** {@code analyser} with each frame that has detections stored as evidence first. */
  public FrameAnalyser withEvidence(FrameAnalyser analyser) {
    return new EvidenceAnalyser(analyser, store, settings.framesPrefix(), settings.timeout(), blocking, registry, tracing);
  }
}
