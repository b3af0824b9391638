package gtvision.camera.stream;

/** A camera sent something that is not a usable frame; the message says what, for the camera's state. */
public class BadFrameException extends RuntimeException {
  public BadFrameException(String message) {
    super(message);
  }
}
