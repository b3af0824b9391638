package gtvision.camera.stream;

/**
 * How a {@link FrameAnalyser} says that it did not analyse a frame because the detectors were busy (or the
 * frame grew too old while it waited): the frame is counted as skipped, not failed, and is not retried;
 * the camera's next frame is its next chance. Every other failure of an analysis counts as failed.
 */
public final class FrameSkippedException extends RuntimeException {
  public FrameSkippedException(String reason) {
    super(reason, null, false, false);
  }
}
