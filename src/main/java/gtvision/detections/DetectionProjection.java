package gtvision.detections;

import gtvision.camera.CameraEntity;
import gtvision.camera.readside.CameraEventProjections;
import gtvision.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import java.util.ArrayList;
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
  static final CameraEventProjections.ReadSideWriter WRITER = writer(Tracing.OFF);

  /**
   * The same, each traced event's insert a span of its frame's trace (a child of its persist), ended when
   * the group's rows are written.
   */
  static CameraEventProjections.ReadSideWriter writer(Tracing tracing) {
    return (connection, events) -> {
      List<CameraEntity.DetectionsRecorded> recorded = events.stream()
          .filter(CameraEntity.DetectionsRecorded.class::isInstance)
          .map(CameraEntity.DetectionsRecorded.class::cast)
          .toList();
      if (recorded.isEmpty()) return;
      List<Span> spans = tracing.enabled() ? spans(tracing, recorded) : List.of();
      try {
        DetectionTable.insert(connection, recorded);
      } catch (java.sql.SQLException | RuntimeException e) {
        spans.forEach(span -> Tracing.failed(span, e));
        throw e;
      } finally {
        spans.forEach(Span::end);
      }
    };
  }

  private static List<Span> spans(Tracing tracing, List<CameraEntity.DetectionsRecorded> recorded) {
    List<Span> spans = new ArrayList<>();
    for (CameraEntity.DetectionsRecorded e : recorded) {
      if (e.traceParent() == null) continue;
      Span span = tracing.child("project detections", SpanKind.CONSUMER, e.traceParent());
      span.setAttribute(Tracing.CAMERA, e.cameraId());
      span.setAttribute(Tracing.FRAME, e.frameSequence());
      span.setAttribute("gtv.projection", NAME);
      span.setAttribute("gtv.group_size", recorded.size());
      spans.add(span);
    }
    return spans;
  }

  public static void init(ActorSystem<?> system) {
    CameraEventProjections.runReadSide(system, NAME, writer(Tracing.get(system)));
  }
}
