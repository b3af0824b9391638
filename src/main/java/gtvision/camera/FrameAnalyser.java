package gtvision.camera;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Where frames that passed the motion gate go. A camera's stream asks for one frame at a time and
 * waits for the answer (backpressure: while the analyser is busy the camera's newest frame waits and
 * older ones are dropped). Detections in the answer are recorded as the camera's events. A failed
 * stage is logged and the stream goes on: an analyser problem is not a camera problem.
 */
@FunctionalInterface
public interface FrameAnalyser {
  /** {@code config} is the camera's current configuration (its analysis options apply). */
  CompletionStage<Analysis> analyse(Frame frame, CameraConfig config);

  /** What was found; {@code provider} names who found it (gpu, aws, ...). */
  record Analysis(String provider, List<Detection> detections) {
    public Analysis {
      detections = List.copyOf(detections);
    }

    public static Analysis nothing(String provider) {
      return new Analysis(provider, List.of());
    }
  }
}
