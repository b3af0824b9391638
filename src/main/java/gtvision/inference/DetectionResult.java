package gtvision.inference;

import gtvision.CborSerializable;
import java.util.List;

/**
 * Detections of one frame.
 *
 * @param provider "gpu" (local ONNX Runtime, whatever its device) or "aws"
 * @param modelId model file name or Rekognition label model version
 * @param batchSize how many frames shared the inference dispatch of this one
 */
public record DetectionResult(
    List<Detection> detections,
    String provider,
    String modelId,
    int imageWidth,
    int imageHeight,
    int batchSize,
    Timings timings)
    implements CborSerializable {

  public DetectionResult {
    detections = List.copyOf(detections);
  }
}
