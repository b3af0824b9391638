package gtvision.camera;

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
    Instant updatedAt) {}
