package gtvision.camera;

import gtvision.SourceUrls;
import java.time.Duration;
import java.time.Instant;

/**
 * What a camera's running stream reported since its statistics were last persisted: shown by
 * {@code GetState} at once, persisted as one {@link CameraEntity.StreamStatsRecorded} at a low rate.
 * Belongs to one entity incarnation and is reset whenever its stream is (re)started or stopped.
 */
final class LiveStreamStats {
  private long pendingSeen;
  private long pendingAnalysed;
  private long pendingSkipped;
  private long pendingFailed;
  private double fps;
  private double analysedFps;
  private Instant lastFrameAt;
  // The newest damaged frame skipped since the last loss: shown as health.lastError without a
  // reconnect (a loss, persisted, is newer and replaces it).
  private String frameError;
  // The newest analysis failure not persisted yet.
  private String analysisError;
  private boolean stalled;
  private Instant lastPersisted;

  LiveStreamStats(Instant now) {
    this.lastPersisted = now;
  }

  /**
   * A stream started, stopped, connected or lost: its rates, stall and damaged-frame error belong to
   * what is gone. Pending counts stay until persisted.
   */
  void reset() {
    fps = 0;
    analysedFps = 0;
    frameError = null;
    stalled = false;
  }

  void firstFrame(Instant capturedAt) {
    lastFrameAt = capturedAt;
    stalled = false;
  }

  void add(CameraEntity.ReportStreamStats report) {
    pendingSeen += report.framesSeen();
    pendingAnalysed += report.framesAnalysed();
    pendingSkipped += report.framesSkipped();
    pendingFailed += report.framesFailed();
    fps = report.measuredFps();
    analysedFps = report.analysedFps();
    stalled = report.stalled();
    if (report.lastFrameAt() != null) lastFrameAt = report.lastFrameAt();
    if (report.skippedFrameError() != null) frameError = "frame skipped: " + SourceUrls.mask(report.skippedFrameError());
    if (report.analysisError() != null) analysisError = SourceUrls.mask(report.analysisError());
  }

  /** The event to persist now, or null: at most once per {@code interval}, and only when frames were counted. */
  CameraEntity.StreamStatsRecorded takeDue(String cameraId, Instant now, Duration interval) {
    boolean nothing = pendingSeen == 0 && pendingAnalysed == 0 && pendingSkipped == 0 && pendingFailed == 0;
    if (nothing || Duration.between(lastPersisted, now).compareTo(interval) < 0) return null;
    var event = new CameraEntity.StreamStatsRecorded(cameraId, pendingSeen, pendingAnalysed, fps, lastFrameAt, now,
        pendingSkipped, pendingFailed, analysedFps, analysisError);
    pendingSeen = 0;
    pendingAnalysed = 0;
    pendingSkipped = 0;
    pendingFailed = 0;
    analysisError = null;
    lastPersisted = now;
    return event;
  }

  /** {@code state} as it is now: the persisted state plus what was reported since. */
  CameraEntity.State applyTo(CameraEntity.State state) {
    StreamHealth h = state.health();
    boolean connected = StreamHealth.CONNECTED.equals(h.state());
    CameraEntity.State live = state.withStats(pendingSeen, pendingAnalysed, pendingSkipped, pendingFailed,
        connected ? fps : 0.0, connected ? analysedFps : 0.0, lastFrameAt != null ? lastFrameAt : h.lastFrameAt(),
        analysisError);
    StreamHealth lh = live.health();
    if (frameError != null) {
      lh = new StreamHealth(lh.state(), lh.measuredFps(), lh.lastFrameAt(), lh.reconnects(), frameError);
    }
    if (connected && stalled) lh = lh.stalled();
    return live.withHealth(lh);
  }
}
