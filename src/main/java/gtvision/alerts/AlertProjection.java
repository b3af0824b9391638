package gtvision.alerts;

import gtvision.camera.CameraEntity;
import gtvision.camera.readside.CameraEventProjections;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Keeps {@code gtv_alerts} in step with the cameras' {@link CameraEntity.AlertRaised} events: one projection
 * instance per tag slice, rows and offset in one transaction (exactly once), like the objects read side.
 */
final class AlertProjection {
  static final String NAME = "alerts";

  private AlertProjection() {}

  static CameraEventProjections.ReadSideWriter writer() {
    return (connection, events) -> {
      for (CameraEntity.Event event : events) {
        if (event instanceof CameraEntity.AlertRaised a) AlertTable.raised(connection, a);
      }
    };
  }

  static void init(ActorSystem<?> system) {
    CameraEventProjections.runReadSide(system, NAME, writer());
  }
}
