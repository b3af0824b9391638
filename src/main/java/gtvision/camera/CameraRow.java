package gtvision.camera;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/** A camera as the read side lists it: no credentials (the URL is stored masked). */
public record CameraRow(
    String id,
    String name,
    String sourceUrl,
    String sourceKind,
    double fps,
    Location location,
    List<String> tags,
    String status,
    Instant createdAt,
    Instant updatedAt) {

  /** Listed with the row so that clients need not compare status strings. */
  @JsonProperty("enabled")
  public boolean enabled() {
    return "enabled".equals(status);
  }
}
