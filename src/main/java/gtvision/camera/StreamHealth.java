package gtvision.camera;

import gtvision.CborSerializable;
import java.time.Instant;

/** How the camera's frame stream is doing; the ingestion pipeline reports into it. */
public record StreamHealth(
    String state, double measuredFps, Instant lastFrameAt, long reconnects, String lastError)
    implements CborSerializable {

  public static final StreamHealth IDLE = new StreamHealth("idle", 0.0, null, 0, null);
}
