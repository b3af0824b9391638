package gtvision.objects;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import gtvision.camera.CameraEntity;
import gtvision.camera.ObjectFrame;
import gtvision.tracking.PathPoint;
import java.time.Instant;
import java.util.List;

/**
 * One tracked-object event as it leaves the node, on the Kafka topic and the live feed (README, "Objects
 * out"), beside the {@code detections} records. {@code event} is {@code started}, {@code updated},
 * {@code ended} or {@code crossed} (it crossed one of the camera's lines: {@code line}, {@code direction}
 * {@code in}/{@code out}, {@code point} its anchor there as fractions of the picture, {@code seenAt} when);
 * fields that event does not have are left out. {@code plate} is the object's chosen
 * plate (the vote across its frames) as of the event, left out while none was read. Versioned like {@code DetectionMessage}:
 * {@code version} changes only when a field changes meaning or goes away.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ObjectMessage(
    int version,
    String type,
    String event,
    String cameraId,
    long trackId,
    Long eventSequence,
    @JsonProperty("class") String className,
    Instant startedAt,
    Instant seenAt,
    Instant endedAt,
    Long dwellMillis,
    List<Double> box,
    List<String> reasons,
    Boolean still,
    List<String> zones,
    Frame best,
    List<Point> path,
    String reason,
    Instant recordedAt,
    List<String> loitering,
    String line,
    String direction,
    List<Double> point,
    String plate) {

  public static final int VERSION = 1;
  public static final String TYPE = "object";

  /** A frame of the object: {@code evidenceKey} null when the frame was not stored. */
  public record Frame(long frameSequence, Instant capturedAt, @JsonProperty("class") String className, double confidence,
      List<Double> bbox, String plate, String evidenceKey) {
    static Frame of(ObjectFrame f) {
      return f == null ? null
          : new Frame(f.frameSequence(), f.capturedAt(), f.className(), f.confidence(), f.bbox(), f.plate(), f.evidenceKey());
    }
  }

  /** A box centre (source pixels) at a capture time. */
  public record Point(Instant at, double x, double y) {
    static List<Point> of(List<PathPoint> path) {
      return path.stream().map(p -> new Point(p.at(), p.x(), p.y())).toList();
    }
  }

  /** {@code eventSequence}: the event's sequence number in its camera's journal (null when not known). */
  public static ObjectMessage of(CameraEntity.ObjectEvent e, Long eventSequence) {
    if (e instanceof CameraEntity.ObjectStarted s) {
      return new ObjectMessage(VERSION, TYPE, "started", s.cameraId(), s.trackId(),
          eventSequence, s.className(), s.startedAt(), s.frame().capturedAt(), null, null, s.box(), null, false, s.zones(),
          Frame.of(s.frame()), null, null, s.at(), null, null, null, null, s.plate());
    }
    if (e instanceof CameraEntity.ObjectUpdated u) {
      return new ObjectMessage(VERSION, TYPE, "updated", u.cameraId(), u.trackId(),
          eventSequence, u.className(), null, u.seenAt(), null, null, null, u.reasons(), u.still(), u.zones(),
          Frame.of(u.best()), null, null, u.at(), u.loitering(), null, null, null, u.plate());
    }
    if (e instanceof CameraEntity.LineCrossed c) {
      return new ObjectMessage(VERSION, TYPE, "crossed", c.cameraId(), c.trackId(), eventSequence, c.className(), null,
          c.crossedAt(), null, null, null, null, null, null, null, null, null, c.at(), null, c.line(), c.direction(),
          c.point(), null);
    }
    CameraEntity.ObjectEnded d = (CameraEntity.ObjectEnded) e;
    return new ObjectMessage(VERSION, TYPE, "ended", d.cameraId(), d.trackId(),
          eventSequence, d.className(), d.startedAt(), d.lastSeen(), d.lastSeen(), d.dwellMillis(), null, null, null,
          null, Frame.of(d.best()), Point.of(d.path()), d.reason(), d.at(), null, null, null, null, d.plate());
  }
}
