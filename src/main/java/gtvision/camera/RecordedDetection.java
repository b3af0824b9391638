package gtvision.camera;

import com.fasterxml.jackson.annotation.JsonProperty;
import gtvision.CborSerializable;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One object seen in a frame as the camera records it: class, confidence 0..1, box [x1, y1, x2, y2] in
 * source pixels, and for vehicles the plate text read with its confidence (both null when none was read).
 * {@code trackId} is the camera's tracked object the detection belongs to, set by the camera entity's
 * tracker (null: not matched to a confirmed track, or recorded before tracking existed). The detector's
 * own result is {@code gtvision.inference.Detection}; this is what is persisted and served.
 */
public record RecordedDetection(@JsonProperty("class") String className, double confidence, List<Double> bbox, String plate,
    Double plateConfidence, Long trackId)
    implements CborSerializable {

  /** What a recorded plate may look like (upper case): ingest validates against it, queries too. */
  public static final Pattern PLATE_TEXT = Pattern.compile("[A-Z0-9-]{1,32}");

  public RecordedDetection {
    bbox = List.copyOf(bbox);
  }

  /** A detection before the tracker saw it. */
  public RecordedDetection(String className, double confidence, List<Double> bbox, String plate, Double plateConfidence) {
    this(className, confidence, bbox, plate, plateConfidence, null);
  }

  public RecordedDetection withTrackId(Long id) {
    return new RecordedDetection(className, confidence, bbox, plate, plateConfidence, id);
  }
}
