package gtvision.camera.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Ingestion meters of one node: {@code gtv_frames_*_total{camera}} (received, sampled, dropped, skipped_motion,
 * analysed, skipped_busy, corrupt), {@code gtv_frames_failed_total{camera,reason}}, {@code gtv_camera_reconnects_total{camera}},
 * {@code gtv_frame_decode_seconds} and {@code gtv_camera_streams{state}} (streams on this node by state; a lost stream
 * stays lost through its reconnect attempts until one connects).
 * Totals are Prometheus' sum over cameras.
 */
public final class StreamMetrics {
  public static final String CONNECTING = "connecting";
  public static final String CONNECTED = "connected";
  public static final String LOST = "lost";
  public static final String STALLED = "stalled";

  private final MeterRegistry registry;
  private final Timer decode;
  private final Map<String, String> streamStates = new ConcurrentHashMap<>();

  public StreamMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.decode = Timer.builder("gtv.frame.decode")
        .description("Time to decode a sampled frame: the reduced decode of the motion gate and full decodes")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(2))
        .register(registry);
    for (String state : new String[] {CONNECTING, CONNECTED, STALLED, LOST}) {
      Gauge.builder("gtv.camera.streams", streamStates, states -> states.values().stream().filter(state::equals).count())
          .description("Camera streams running on this node, by state")
          .tag("state", state)
          .register(registry);
    }
  }

  public MeterRegistry registry() {
    return registry;
  }

  public Timer decode() {
    return decode;
  }

  /** The counters of one camera. */
  public record CameraMeters(
      Counter received, Counter sampled, Counter dropped, Counter skippedMotion, Counter analysed, Counter skippedBusy,
      Counter reconnects, Counter corrupt, Function<String, Counter> failed) {}

  public CameraMeters camera(String cameraId) {
    return new CameraMeters(
        counter("gtv.frames.received", "Frames the camera delivered", cameraId),
        counter("gtv.frames.sampled", "Frames taken at the camera's sampling rate", cameraId),
        counter("gtv.frames.dropped", "Sampled frames dropped because analysis was busy (newest kept)", cameraId),
        counter("gtv.frames.skipped.motion", "Sampled frames without motion, not analysed", cameraId),
        counter("gtv.frames.analysed", "Frames an analyser answered", cameraId),
        counter("gtv.frames.skipped.busy", "Frames the analyser did not take because the detectors were busy", cameraId),
        counter("gtv.camera.reconnects", "Times the stream connected again after it was lost", cameraId),
        counter("gtv.frames.corrupt", "Frames skipped because the JPEG was truncated or did not decode", cameraId),
        reason -> Counter.builder("gtv.frames.failed")
            .description("Frames whose analysis failed, by the failure's kind (its exception class)")
            .tag("camera", cameraId)
            .tag("reason", reason)
            .register(registry));
  }

  private Counter counter(String name, String description, String cameraId) {
    return Counter.builder(name).description(description).tag("camera", cameraId).register(registry);
  }

  public void streamState(String cameraId, String state) {
    streamStates.put(cameraId, state);
  }

  public void streamStopped(String cameraId) {
    streamStates.remove(cameraId);
  }
}
