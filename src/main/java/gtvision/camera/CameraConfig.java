package gtvision.camera;

import gtvision.CborSerializable;
import gtvision.SourceUrls;
import java.util.List;

/**
 * A validated camera configuration, as persisted in events and snapshots. {@code sourceUrl} is masked
 * when the URL carries credentials, and {@code sealedSourceUrl} holds the whole URL encrypted (see
 * {@link CameraCredentials}); only the entity opens it, to start the stream. In events written before
 * credentials were encrypted, {@code sourceUrl} is the real URL and {@code sealedSourceUrl} is null.
 */
public record CameraConfig(
    String name,
    String sourceUrl,
    SourceKind sourceKind,
    double fps,
    Location location,
    List<String> tags,
    List<List<List<Double>>> motionMask,
    AnalysisOptions analysis,
    String sealedSourceUrl,
    List<Zone> zones,
    List<CountLine> lines)
    implements CborSerializable {

  /**
   * {@code zones} and {@code lines}: where objects are followed in and out and where their crossings are
   * counted (see {@link Zone}, {@link CountLine}); names unique per camera.
   *
   * <p>{@code motionMask}: polygons (lists of [x, y] points, 0..1 of the picture's width and height) where
   * motion is ignored. Null in events written before masks existed; read as no mask.
   */
  public CameraConfig {
    tags = List.copyOf(tags);
    motionMask = motionMask == null ? List.of() : motionMask.stream()
        .map(polygon -> polygon.stream().map(List::copyOf).toList())
        .toList();
    // Null in events written before per-camera analysis options existed.
    analysis = analysis == null ? AnalysisOptions.DEFAULT : analysis;
    // Null in events written before zones and lines existed.
    zones = zones == null ? List.of() : List.copyOf(zones);
    lines = lines == null ? List.of() : List.copyOf(lines);
  }

  public CameraConfig(
      String name, String sourceUrl, SourceKind sourceKind, double fps, Location location, List<String> tags,
      List<List<List<Double>>> motionMask, AnalysisOptions analysis, String sealedSourceUrl) {
    this(name, sourceUrl, sourceKind, fps, location, tags, motionMask, analysis, sealedSourceUrl, List.of(), List.of());
  }

  public CameraConfig(
      String name, String sourceUrl, SourceKind sourceKind, double fps, Location location, List<String> tags,
      List<List<List<Double>>> motionMask, AnalysisOptions analysis) {
    this(name, sourceUrl, sourceKind, fps, location, tags, motionMask, analysis, null);
  }

  public CameraConfig(
      String name, String sourceUrl, SourceKind sourceKind, double fps, Location location, List<String> tags,
      List<List<List<Double>>> motionMask) {
    this(name, sourceUrl, sourceKind, fps, location, tags, motionMask, AnalysisOptions.DEFAULT);
  }

  public CameraConfig(String name, String sourceUrl, SourceKind sourceKind, double fps, Location location, List<String> tags) {
    this(name, sourceUrl, sourceKind, fps, location, tags, List.of(), AnalysisOptions.DEFAULT);
  }

  /** The same configuration with another source: the URL as shown, and the sealed real one (or null). */
  public CameraConfig withSource(String newSourceUrl, String newSealedSourceUrl) {
    return new CameraConfig(name, newSourceUrl, sourceKind, fps, location, tags, motionMask, analysis, newSealedSourceUrl,
        zones, lines);
  }

  /** The source URL with its credentials replaced, for responses and logs. */
  public String maskedSourceUrl() {
    return SourceUrls.mask(sourceUrl);
  }
}
