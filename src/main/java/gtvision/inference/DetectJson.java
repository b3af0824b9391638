package gtvision.inference;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Response bodies of the detection endpoints. */
final class DetectJson {
  private DetectJson() {}

  record DetectionJson(@JsonProperty("class") String className, double confidence, BoundingBox bbox, String plate, Double plateConfidence) {
    static DetectionJson of(gtvision.inference.Detection d) {
      return new DetectionJson(d.className(), d.confidence(), d.box(),
          d.plate().map(p -> p.text()).orElse(null), d.plate().map(p -> p.confidence()).orElse(null));
    }
  }

  record FrameResult(
      List<DetectionJson> detections, String provider, String modelId, int imageWidth, int imageHeight,
      int batchSize, Timings timings) {
    static FrameResult of(DetectionResult r) {
      return new FrameResult(r.detections().stream().map(DetectionJson::of).toList(), r.provider(), r.modelId(),
          r.imageWidth(), r.imageHeight(), r.batchSize(), r.timings());
    }
  }

  /** {@code POST /api/detect/frame}: one frame's detections and which provider answered. */
  record FrameResponse(
      List<DetectionJson> detections, String provider, boolean fallback, String modelId, int imageWidth,
      int imageHeight, Timings timings, double totalMs) {
    static FrameResponse of(InferenceRouter.Detected detected, double totalMs) {
      FrameResult r = FrameResult.of(detected.results().get(0));
      return new FrameResponse(r.detections(), detected.provider(), detected.fallback(), r.modelId(),
          r.imageWidth(), r.imageHeight(), r.timings(), totalMs);
    }
  }

  /** {@code POST /api/batch/detect}: results in the order the images were sent. */
  record BatchResponse(List<FrameResult> results, String provider, boolean fallback, double totalMs) {
    static BatchResponse of(InferenceRouter.Detected detected, double totalMs) {
      return new BatchResponse(detected.results().stream().map(FrameResult::of).toList(), detected.provider(),
          detected.fallback(), totalMs);
    }
  }
}
