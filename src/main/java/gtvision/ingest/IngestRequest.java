package gtvision.ingest;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * Body of {@code POST /api/ingest/detections}. Every field is boxed so that a missing one is
 * reported by the validator with its index rather than by the JSON reader.
 */
public record IngestRequest(List<Item> detections) {

  public record Item(
      String cameraId,
      Instant timestamp,
      @JsonProperty("class") String className,
      Double confidence,
      List<Double> bbox,
      String plate,
      Double plateConfidence,
      Integer frameWidth,
      Integer frameHeight,
      Long frameSequence) {}
}
