package gtvision.camera;

import gtvision.CborSerializable;
import gtvision.SourceUrls;
import java.util.List;

/** A validated camera configuration, as persisted in events. The source URL keeps its credentials. */
public record CameraConfig(
    String name,
    String sourceUrl,
    SourceKind sourceKind,
    double fps,
    Location location,
    List<String> tags,
    List<List<List<Double>>> motionMask,
    AnalysisOptions analysis)
    implements CborSerializable {

  /**
   * {@code motionMask}: polygons (lists of [x, y] points, 0..1 of the picture's width and height) where
   * motion is ignored. Null in events written before masks existed; read as no mask.
   */
  public CameraConfig {
    tags = List.copyOf(tags);
    motionMask = motionMask == null ? List.of() : motionMask.stream()
        .map(polygon -> polygon.stream().map(List::copyOf).toList())
        .toList();
    // Null in events written before per-camera analysis options existed.
    analysis = analysis == null ? AnalysisOptions.DEFAULT : analysis;
  }

  public CameraConfig(
      String name, String sourceUrl, SourceKind sourceKind, double fps, Location location, List<String> tags,
      List<List<List<Double>>> motionMask) {
    this(name, sourceUrl, sourceKind, fps, location, tags, motionMask, AnalysisOptions.DEFAULT);
  }

  public CameraConfig(String name, String sourceUrl, SourceKind sourceKind, double fps, Location location, List<String> tags) {
    this(name, sourceUrl, sourceKind, fps, location, tags, List.of(), AnalysisOptions.DEFAULT);
  }

  /** The source URL with its password replaced, for responses and logs. */
  public String maskedSourceUrl() {
    return SourceUrls.mask(sourceUrl);
  }
}
