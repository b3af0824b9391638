package gtvision.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code gtv_projection_lag_seconds{projection}}: how old the last event a projection processed on
 * this node was when it was processed (write time to read-side time).
 */
public final class ProjectionLag {
  private final AtomicLong lagMillis = new AtomicLong();

  public ProjectionLag(MeterRegistry registry, String projection) {
    Gauge.builder("gtv.projection.lag", lagMillis, millis -> millis.get() / 1000.0)
        .description("Age of the last processed event when a projection processed it")
        .baseUnit("seconds")
        .tag("projection", projection)
        .register(registry);
  }

  public void processed(long eventTimestampMillis) {
    lagMillis.set(Math.max(0, System.currentTimeMillis() - eventTimestampMillis));
  }
}
