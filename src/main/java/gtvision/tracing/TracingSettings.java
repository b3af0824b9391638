package gtvision.tracing;

import com.typesafe.config.Config;
import java.time.Duration;

/** {@code gtv.tracing.*} (tracing.conf); an empty endpoint means no tracing. */
public record TracingSettings(
    String otlpEndpoint, String serviceName, double sampleRatio, Duration exportInterval, int maxQueueSize,
    Duration exportTimeout) {

  public static final TracingSettings OFF =
      new TracingSettings("", "gtvision", 1.0, Duration.ofSeconds(5), 2048, Duration.ofSeconds(10));

  public TracingSettings {
    otlpEndpoint = otlpEndpoint == null ? "" : otlpEndpoint.trim();
    if (sampleRatio < 0 || sampleRatio > 1 || Double.isNaN(sampleRatio)) {
      throw new IllegalArgumentException("gtv.tracing.sample-ratio must be within 0.0..1.0, not " + sampleRatio);
    }
    if (!otlpEndpoint.isEmpty() && !otlpEndpoint.startsWith("http://") && !otlpEndpoint.startsWith("https://")) {
      throw new IllegalArgumentException(
          "gtv.tracing.otlp-endpoint must be an http(s) URL such as http://jaeger:4318, not '" + otlpEndpoint + "'");
    }
  }

  /** The node's settings; a configuration without {@code gtv.tracing} (an actor system of a test) traces nothing. */
  public static TracingSettings from(Config config) {
    if (!config.hasPath("gtv.tracing")) return OFF;
    Config c = config.getConfig("gtv.tracing");
    return new TracingSettings(c.getString("otlp-endpoint"), c.getString("service-name"), c.getDouble("sample-ratio"),
        c.getDuration("export-interval"), c.getInt("max-queue-size"), c.getDuration("export-timeout"));
  }

  public boolean enabled() {
    return !otlpEndpoint.isEmpty();
  }

  /** Where OTLP/HTTP takes spans: the endpoint's {@code /v1/traces}, unless it names that path itself. */
  public String tracesUrl() {
    String base = otlpEndpoint.endsWith("/") ? otlpEndpoint.substring(0, otlpEndpoint.length() - 1) : otlpEndpoint;
    return base.endsWith("/v1/traces") ? base : base + "/v1/traces";
  }

  public TracingSettings withEndpoint(String endpoint) {
    return new TracingSettings(endpoint, serviceName, sampleRatio, exportInterval, maxQueueSize, exportTimeout);
  }

  public TracingSettings withSampleRatio(double ratio) {
    return new TracingSettings(otlpEndpoint, serviceName, ratio, exportInterval, maxQueueSize, exportTimeout);
  }
}
