package gtvision.objects;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import gtvision.camera.CameraEntity;
import gtvision.camera.readside.CameraEventProjections;
import gtvision.http.Json;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Keeps {@code gtv_objects} and {@code gtv_object_timeline} in step with the cameras' object events: one
 * projection instance per tag slice, rows and offset in one transaction (exactly once), like the
 * detections read side. Events are applied in journal order, so an object's row sees its start first.
 */
public final class ObjectProjection {
  static final String NAME = "objects";

  private ObjectProjection() {}

  static CameraEventProjections.ReadSideWriter writer(ObjectMapper mapper) {
    return (connection, events) -> {
      for (CameraEntity.Event event : events) {
        if (!(event instanceof CameraEntity.ObjectEvent e)) continue;
        ObjectMessage message = ObjectMessage.of(e, null);
        if (e instanceof CameraEntity.ObjectStarted s) {
          ObjectTable.started(connection, s);
          ObjectTable.timeline(connection, e, s.startedAt(), message.event(), json(mapper, message));
        } else if (e instanceof CameraEntity.ObjectUpdated u) {
          ObjectTable.updated(connection, u);
          ObjectTable.timeline(connection, e, u.seenAt(), message.event(), json(mapper, message));
        } else if (e instanceof CameraEntity.ObjectEnded d) {
          ObjectTable.ended(connection, d);
          ObjectTable.timeline(connection, e, d.lastSeen(), message.event(), json(mapper, message));
        } else if (e instanceof CameraEntity.LineCrossed c) {
          // On the object's timeline; the counts per line have their own read side (gtvision.counts).
          ObjectTable.timeline(connection, e, c.crossedAt(), message.event(), json(mapper, message));
        }
      }
    };
  }

  private static String json(ObjectMapper mapper, ObjectMessage message) {
    try {
      return mapper.writeValueAsString(message);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static void init(ActorSystem<?> system) {
    CameraEventProjections.runReadSide(system, NAME, writer(Json.get(system).mapper()));
  }
}
