package gtvision.camera.stream;

import gtvision.camera.CameraConfig;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/** The analyser of a node without inference: it counts the frames it was given and finds nothing. */
public final class CountingAnalyser implements FrameAnalyser {
  private final AtomicLong frames = new AtomicLong();

  @Override
  public CompletionStage<Analysis> analyse(Frame frame, CameraConfig config) {
    frames.incrementAndGet();
    return CompletableFuture.completedFuture(Analysis.nothing("none"));
  }

  public long frames() {
    return frames.get();
  }
}
