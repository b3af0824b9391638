package gtvision.camera;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The numbers of one camera's sampled frames: each number is handed out once, in increasing order, for
 * as long as this counter lives, whichever run of the stream and whichever reader takes it. Evidence
 * frames are stored under their number ({@code EvidenceStore.frameKey}), so a number taken twice
 * would let one camera's evidence file overwrite another's. Readers take numbers on the ingest
 * dispatcher, hence atomic.
 */
public final class FrameSequence {
  private final AtomicLong next;

  public FrameSequence(long first) {
    this.next = new AtomicLong(first);
  }

  /** The number of the next frame. */
  public long next() {
    return next.getAndIncrement();
  }

  /** Continues at {@code first} at the earliest; never goes back to numbers already handed out. */
  public void skipTo(long first) {
    next.accumulateAndGet(first, Math::max);
  }
}
