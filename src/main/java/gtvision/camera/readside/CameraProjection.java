package gtvision.camera.readside;

import gtvision.camera.CameraEntity;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Keeps {@code gtv_cameras} in step with camera events: one projection instance per tag slice,
 * spread over the cluster as a sharded daemon process, rows and offsets in one transaction. It sees
 * every camera event, detections included, hence in groups: one transaction per event cost a commit
 * per analysed frame just to move the offset.
 */
public final class CameraProjection {
  static final String NAME = "cameras";

  private CameraProjection() {}

  /** Applies a group of events to {@code gtv_cameras}, in journal order: a camera's later events win. */
  static final CameraEventProjections.ReadSideWriter WRITER = (connection, events) -> {
    for (CameraEntity.Event event : events) CameraTable.apply(connection, event);
  };

  public static void init(ActorSystem<?> system) {
    CameraEventProjections.runReadSide(system, NAME, WRITER);
  }
}
