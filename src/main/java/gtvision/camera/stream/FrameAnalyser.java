package gtvision.camera.stream;

import gtvision.camera.CameraConfig;
import gtvision.camera.RecordedDetection;
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

  /**
   * What was found; {@code provider} names who found it (gpu, aws, ...); {@code evidenceKey} names the
   * frame's JPEG in the evidence store when one was stored (null otherwise); {@code jpeg} is the frame
   * as JPEG when the analyser had to encode it (a decoded video frame), so that nobody encodes it twice.
   */
  record Analysis(String provider, List<RecordedDetection> detections, String evidenceKey, byte[] jpeg) {
    public Analysis {
      detections = List.copyOf(detections);
    }

    public Analysis(String provider, List<RecordedDetection> detections) {
      this(provider, detections, null, null);
    }

    public Analysis withEvidence(String key) {
      return new Analysis(provider, detections, key, jpeg);
    }

    public Analysis withJpeg(byte[] encoded) {
      return new Analysis(provider, detections, evidenceKey, encoded);
    }

    public static Analysis nothing(String provider) {
      return new Analysis(provider, List.of());
    }
  }
}
