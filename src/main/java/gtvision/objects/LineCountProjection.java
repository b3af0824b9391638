package gtvision.objects;

import gtvision.camera.CameraEntity;
import gtvision.camera.readside.CameraEventProjections;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Keeps {@code gtv_line_counts} in step with the cameras' {@link CameraEntity.LineCrossed} events: one
 * projection instance per tag slice, counts and offset in one transaction, so a crossing counts exactly
 * once however often the projection restarts.
 */
public final class LineCountProjection {
  static final String NAME = "line-counts";

  private LineCountProjection() {}

  static CameraEventProjections.ReadSideWriter writer() {
    return (connection, events) -> {
      List<CameraEntity.LineCrossed> crossings = new ArrayList<>();
      for (CameraEntity.Event e : events) {
        if (e instanceof CameraEntity.LineCrossed c) crossings.add(c);
      }
      if (!crossings.isEmpty()) LineCountTable.add(connection, crossings);
    };
  }

  public static void init(ActorSystem<?> system) {
    CameraEventProjections.runReadSide(system, NAME, writer());
  }
}
