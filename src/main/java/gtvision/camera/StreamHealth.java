package gtvision.camera;

import gtvision.CborSerializable;
import java.time.Instant;

/**
 * How the camera's frame stream is doing: {@code state} is idle (not enabled), connecting, connected,
 * stalled (connected, but no frame for three sample intervals plus the read timeout; never persisted,
 * derived from the stream's live report) or lost; {@code reconnects} counts connections made again after a loss; {@code lastError} is the
 * reason of the last loss, password masked.
 */
public record StreamHealth(
    String state, double measuredFps, Instant lastFrameAt, long reconnects, String lastError)
    implements CborSerializable {

  public static final String IDLE_STATE = "idle";
  public static final String CONNECTING = "connecting";
  public static final String CONNECTED = "connected";
  public static final String LOST = "lost";
  public static final String STALLED = "stalled";

  public static final StreamHealth IDLE = new StreamHealth(IDLE_STATE, 0.0, null, 0, null);

  StreamHealth inState(String newState) {
    return new StreamHealth(newState, newState.equals(CONNECTED) ? measuredFps : 0.0, lastFrameAt, reconnects, lastError);
  }

  StreamHealth connected() {
    return new StreamHealth(CONNECTED, measuredFps, lastFrameAt, state.equals(LOST) ? reconnects + 1 : reconnects, lastError);
  }

  StreamHealth lost(String reason) {
    return new StreamHealth(LOST, 0.0, lastFrameAt, reconnects, reason);
  }

  StreamHealth stalled() {
    return new StreamHealth(STALLED, 0.0, lastFrameAt, reconnects, lastError);
  }

  StreamHealth frameAt(Instant at) {
    return new StreamHealth(state, measuredFps, at, reconnects, lastError);
  }
}
