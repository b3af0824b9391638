package gtvision.inference;

import java.time.Instant;
import java.util.List;

/**
 * Inference health for GET /health: each provider's state and each worker's breaker, as seen by
 * this node's router.
 *
 * @param providers "UP" (a worker ready with a closed or half-open breaker), "DEGRADED" (workers,
 *     none usable now), "DOWN" (no worker known), keyed by provider
 */
public record HealthSnapshot(
    String mode, java.util.Map<String, String> providers, List<Worker> workers, Instant at)
    implements gtvision.CborSerializable {

  public record Worker(
      String path, String provider, WorkerStatus.State state, String detail, String breaker, int inFlight)
      implements gtvision.CborSerializable {}

  public HealthSnapshot {
    providers = java.util.Map.copyOf(providers);
    workers = List.copyOf(workers);
  }

  static HealthSnapshot starting(String mode) {
    return new HealthSnapshot(mode, java.util.Map.of(), List.of(), Instant.now());
  }
}
