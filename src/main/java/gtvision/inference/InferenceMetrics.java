package gtvision.inference;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** Meter definitions shared by several classes, so names and options stay in one place. */
final class InferenceMetrics {
  private InferenceMetrics() {}

  /** Per-frame latency of a provider; Prometheus {@code gtv_inference_seconds_bucket{provider}}. */
  static Timer latency(MeterRegistry registry, String provider) {
    return Timer.builder("gtv.inference")
        .description("Latency of one frame through a provider (decode to detections)")
        .tag("provider", provider)
        .publishPercentileHistogram()
        .register(registry);
  }
}
