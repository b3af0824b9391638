package gtvision.camera.stream;

/**
 * One frame the camera sent cannot be used (a JPEG that breaks off or does not decode), while the
 * connection itself is fine: the frame is skipped and counted, the stream goes on. Damage like this
 * happens on lossy links and in camera firmware; reconnecting would not make the next frame better.
 */
public final class CorruptFrameException extends BadFrameException {
  public CorruptFrameException(String message) {
    super(message);
  }
}
