package gtvision.camera;

import java.util.Optional;

/**
 * A blocking reader of one camera connection: {@link #next()} returns the next sampled frame, reading
 * (and counting) whatever the camera sends in between; empty at the end of the stream. Used by one
 * thread at a time, always on the ingest dispatcher.
 */
interface FrameReader extends AutoCloseable {
  Optional<Frame> next() throws Exception;

  @Override
  void close();
}
