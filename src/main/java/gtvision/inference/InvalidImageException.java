package gtvision.inference;

/** The input is not a supported image or claims absurd dimensions; maps to HTTP 400. */
public final class InvalidImageException extends RuntimeException {
  public InvalidImageException(String message) {
    super(message);
  }
}
