package gtvision.camera;

import gtvision.CborSerializable;
import java.util.List;

/** A validated camera configuration, as persisted in events. The source URL keeps its credentials. */
public record CameraConfig(
    String name, String sourceUrl, SourceKind sourceKind, double fps, Location location, List<String> tags)
    implements CborSerializable {

  public CameraConfig {
    tags = List.copyOf(tags);
  }

  /** The source URL with its password replaced, for responses and logs. */
  public String maskedSourceUrl() {
    return SourceUrls.mask(sourceUrl);
  }
}
