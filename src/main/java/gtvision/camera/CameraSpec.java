package gtvision.camera;

import gtvision.CborSerializable;
import java.util.List;

/**
 * A camera's configuration as a client sent it: nothing here is trusted yet. The entity's command
 * handler validates it into a {@link CameraConfig} or answers a rejection naming the field.
 */
public record CameraSpec(
    String name,
    String sourceUrl,
    String sourceKind,
    Double fps,
    Location location,
    List<String> tags,
    Boolean enabled,
    List<List<List<Double>>> motionMask,
    AnalysisOptions analysis,
    List<Zone> zones,
    List<CountLine> lines)
    implements CborSerializable {

  public CameraSpec(
      String name, String sourceUrl, String sourceKind, Double fps, Location location, List<String> tags, Boolean enabled,
      List<List<List<Double>>> motionMask, AnalysisOptions analysis) {
    this(name, sourceUrl, sourceKind, fps, location, tags, enabled, motionMask, analysis, null, null);
  }

  public CameraSpec(
      String name, String sourceUrl, String sourceKind, Double fps, Location location, List<String> tags, Boolean enabled) {
    this(name, sourceUrl, sourceKind, fps, location, tags, enabled, null, null);
  }

  public CameraSpec(
      String name, String sourceUrl, String sourceKind, Double fps, Location location, List<String> tags, Boolean enabled,
      List<List<List<Double>>> motionMask) {
    this(name, sourceUrl, sourceKind, fps, location, tags, enabled, motionMask, null);
  }
}
