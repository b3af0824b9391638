package gtvision.camera.stream;

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

  /** Something that connects to a camera and may fail doing so. */
  @FunctionalInterface
  interface Opener {
    FrameReader open() throws Exception;
  }

  /**
   * Connects on the first {@link #next()}: a failed connect then fails the stream like any read error
   * (a failure while the stream stage starts would be logged as an actor error with a stack trace).
   */
  static FrameReader lazy(Opener opener) {
    return new FrameReader() {
      private FrameReader reader;

      @Override
      public Optional<Frame> next() throws Exception {
        if (reader == null) reader = opener.open();
        return reader.next();
      }

      @Override
      public void close() {
        if (reader != null) reader.close();
      }
    };
  }
}
