package gtvision.camera;

import gtvision.CborSerializable;

/**
 * Running totals for one camera since it was registered. {@code framesAnalysed} counts only frames an
 * analyser answered; {@code framesSkipped} frames not analysed because the detectors were busy (refused by the
 * router, or replaced in the stream by a newer frame while the previous one was analysed);
 * {@code framesFailed} frames whose analysis failed, the newest reason in {@code lastAnalysisError}.
 * {@code analysedFps} is the rate of answered frames over the stream's stats window (0 when not
 * streaming). Fields added after the first release read as 0 / null from older snapshots.
 */
public record CameraCounters(
    long framesSeen, long framesAnalysed, long detections, long framesSkipped, long framesFailed, double analysedFps,
    String lastAnalysisError)
    implements CborSerializable {

  public static final CameraCounters ZERO = new CameraCounters(0, 0, 0, 0, 0, 0.0, null);

  CameraCounters plusDetections(long count) {
    return new CameraCounters(framesSeen, framesAnalysed, detections + count, framesSkipped, framesFailed, analysedFps,
        lastAnalysisError);
  }

  CameraCounters withoutRate() {
    return new CameraCounters(framesSeen, framesAnalysed, detections, framesSkipped, framesFailed, 0.0, lastAnalysisError);
  }

  /** Adds frames counted since the previous stats; a null error keeps the previous one. */
  CameraCounters plusFrames(long seen, long analysed, long skipped, long failed, double rate, String analysisError) {
    return new CameraCounters(framesSeen + seen, framesAnalysed + analysed, detections, framesSkipped + skipped,
        framesFailed + failed, rate, analysisError == null ? lastAnalysisError : analysisError);
  }
}
