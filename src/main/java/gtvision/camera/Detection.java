package gtvision.camera;

import com.fasterxml.jackson.annotation.JsonProperty;
import gtvision.CborSerializable;
import java.util.List;

/**
 * One object seen in a frame: class, confidence 0..1, box [x1, y1, x2, y2] in source pixels, and
 * for vehicles the plate text read with its confidence (both null when none was read).
 */
public record Detection(@JsonProperty("class") String className, double confidence, List<Double> bbox, String plate, Double plateConfidence)
    implements CborSerializable {

  public Detection {
    bbox = List.copyOf(bbox);
  }
}
