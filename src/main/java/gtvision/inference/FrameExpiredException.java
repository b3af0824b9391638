package gtvision.inference;

import java.time.Instant;

/**
 * The request's {@link DetectOptions#notAfter()} passed before a detector could start on it: nothing
 * was analysed and nothing is wrong with the detector. Under overload a worker's queue may hold frames
 * that were young when their router admitted them; they are dropped here instead of being analysed late
 * (which would only delay the young frames behind them).
 */
public final class FrameExpiredException extends RuntimeException {
  public FrameExpiredException(Instant notAfter) {
    super("frame expired at " + notAfter + " before a detector was free (gtv.inference.max-frame-age)");
  }
}
