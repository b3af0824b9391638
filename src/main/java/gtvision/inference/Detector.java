package gtvision.inference;

import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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

  /**
   * Requests this detector should have in flight to stay busy without a queue of its own growing:
   * for a batching model two batches (one running, one filling), for a remote API its concurrency.
   * The router admits up to this many and holds the rest.
   */
  int capacity();

  CompletionStage<List<DetectionResult>> detect(List<ImageInput> images, DetectOptions options);

  /**
   * Plate text on each vehicle crop (same order), for frames detected on another node: the frame
   * crossed at the detector's input size, the crops at full resolution. Fails like {@link #detect}.
   * A detector without a crop reader answers no plates; Rekognition reads plates on the whole frame
   * (DetectText) instead and is never sent crops (see {@link FrameWire}).
   */
  default CompletionStage<List<Optional<Plate>>> readPlates(List<ImageInput> crops) {
    return CompletableFuture.completedFuture(Collections.nCopies(crops.size(), Optional.empty()));
  }

  @Override
  void close();
}
