package gtvision.camera.stream;

/**
 * Decides which frames to keep at the camera's sampling rate. Times are in microseconds on any
 * monotonic clock (wall clock for live cameras, presentation time for files). Half a frame of
 * tolerance keeps 1 fps from a 10 fps stream steady instead of beating between 9 and 10 frames.
 */
final class SampleClock {
  private final long intervalMicros;
  private long nextDue = Long.MIN_VALUE;

  SampleClock(double fps) {
    this.intervalMicros = (long) (1_000_000 / fps);
  }

  long intervalMicros() {
    return intervalMicros;
  }

  boolean take(long nowMicros, long frameDurationMicros) {
    if (nextDue != Long.MIN_VALUE && nowMicros < nextDue - frameDurationMicros / 2) return false;
    // A late frame restarts the schedule from now instead of bursting to catch up.
    nextDue = nextDue == Long.MIN_VALUE || nowMicros - nextDue > intervalMicros ? nowMicros + intervalMicros : nextDue + intervalMicros;
    return true;
  }
}
