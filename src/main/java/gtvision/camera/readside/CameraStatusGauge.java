package gtvision.camera.readside;

import gtvision.camera.CameraEntity;
import gtvision.persistence.Database;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code gtv_cameras{status}}: cameras by lifecycle status, refreshed from the read side. */
public final class CameraStatusGauge {
  private static final Logger log = LoggerFactory.getLogger(CameraStatusGauge.class);

  private CameraStatusGauge() {}

  public static void start(ActorSystem<?> system, MeterRegistry registry) {
    MultiGauge gauge = MultiGauge.builder("gtv.cameras").description("Cameras by lifecycle status").register(registry);
    Database database = Database.get(system);
    Duration interval = system.settings().config().getDuration("gtv.camera.status-gauge-interval");
    system
        .scheduler()
        .scheduleWithFixedDelay(
            Duration.ZERO,
            interval,
            () ->
                database
                    .run(CameraTable::countByStatus)
                    .thenAccept(counts -> gauge.register(rows(counts), true))
                    .exceptionally(e -> {
                      log.warn("Cannot refresh the cameras-by-status gauge: {}", e.getMessage());
                      return null;
                    }),
            system.executionContext());
  }

  private static Iterable<MultiGauge.Row<?>> rows(Map<String, Long> counts) {
    return Arrays.stream(CameraEntity.Status.values())
        .filter(s -> s != CameraEntity.Status.UNKNOWN && s != CameraEntity.Status.REMOVED)
        .map(CameraTable::wire)
        .<MultiGauge.Row<?>>map(status -> MultiGauge.Row.of(Tags.of("status", status), counts.getOrDefault(status, 0L)))
        .toList();
  }
}
