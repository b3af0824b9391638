package gtvision.detections;

import gtvision.camera.CameraEntity;
import gtvision.camera.readside.CameraEventProjections;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Keeps the {@code detections} table in step with camera events: one projection instance per tag
 * slice, spread over the cluster as a sharded daemon process; rows and offset commit in one
 * transaction (exactly once), so a restart never loses or doubles a row.
 */
public final class DetectionProjection {
  static final String NAME = "detections";

  private DetectionProjection() {}

  /** Inserts the rows of a group's detection events; the group's other camera events are not its business. */
  static final CameraEventProjections.ReadSideWriter WRITER = (connection, events) -> {
    List<CameraEntity.DetectionsRecorded> recorded = events.stream()
        .filter(CameraEntity.DetectionsRecorded.class::isInstance)
        .map(CameraEntity.DetectionsRecorded.class::cast)
        .toList();
    if (!recorded.isEmpty()) DetectionTable.insert(connection, recorded);
  };

  public static void init(ActorSystem<?> system) {
    CameraEventProjections.runReadSide(system, NAME, WRITER);
  }
}
