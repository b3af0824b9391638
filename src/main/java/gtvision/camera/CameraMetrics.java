package gtvision.camera;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Camera-side meters: persist latency and commands by type and outcome. */
public final class CameraMetrics {
  private final MeterRegistry registry;
  private final Timer persistLatency;

  public CameraMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.persistLatency =
        Timer.builder("gtv.camera.persist")
            .description("Time from a camera command to its events being durable in the journal")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(10))
            .register(registry);
  }

  void persisted(long nanos) {
    persistLatency.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Counts one command; outcome is accepted, invalid, not_found, conflict or timeout. */
  public void command(String type, String outcome) {
    Counter.builder("gtv.camera.commands")
        .description("Camera commands by type and outcome")
        .tag("type", type)
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }
}
