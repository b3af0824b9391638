package gtvision.inference;

import gtvision.CborSerializable;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Inference health for GET /health: each provider's state, each worker's breaker and load, the
 * router's hold, frames skipped, and this node's AWS spend, as seen by this node.
 *
 * @param providers "UP" (a worker ready with a closed or half-open breaker), "DEGRADED" (workers,
 *     none usable now), "DOWN" (no worker known), keyed by provider
 * @param skipped frames answered "busy" since start, by reason (too-old, superseded, busy, budget)
 * @param aws spend and cost guard of this node's AWS worker; null when this node runs none
 */
public record HealthSnapshot(
    String mode,
    Map<String, String> providers,
    List<Worker> workers,
    Queue queue,
    Map<String, Long> skipped,
    RekognitionDetector.Usage aws,
    Instant at)
    implements CborSerializable {

  /**
   * @param inFlight requests admitted and not answered yet
   * @param capacity at most this many are admitted (the detector's capacity)
   * @param utilisation share of the last second during which the worker had a request in flight (0..1)
   */
  public record Worker(
      String path, String provider, WorkerStatus.State state, String detail, String breaker, int inFlight,
      int capacity, double utilisation)
      implements CborSerializable {}

  /**
   * Frames the router holds because every worker is at capacity.
   *
   * @param waitMs mean time in the hold of the frames admitted during the last second
   */
  public record Queue(int cameras, int uploads, double waitMs) implements CborSerializable {}

  public HealthSnapshot {
    providers = Map.copyOf(providers);
    workers = List.copyOf(workers);
    skipped = Map.copyOf(skipped);
  }

  /** This snapshot with this node's AWS usage. */
  public HealthSnapshot withAws(RekognitionDetector.Usage usage) {
    return new HealthSnapshot(mode, providers, workers, queue, skipped, usage, at);
  }

  static HealthSnapshot starting(String mode) {
    return new HealthSnapshot(mode, Map.of(), List.of(), new Queue(0, 0, 0), Map.of(), null, Instant.now());
  }
}
