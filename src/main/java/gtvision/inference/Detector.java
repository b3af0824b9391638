package gtvision.inference;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Frames in, detections per frame out (same order). Implementations never block the caller: work
 * runs on their own threads and the stage completes there. A stage fails with {@link
 * InvalidImageException} for bad input and with another exception when the provider failed.
 */
public interface Detector extends AutoCloseable {

  /** "gpu" or "aws"; also the metrics tag and the Receptionist key suffix. */
  String provider();

  String modelId();

  CompletionStage<List<DetectionResult>> detect(List<ImageInput> images, DetectOptions options);

  @Override
  void close();
}
