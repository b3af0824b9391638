package gtvision.inference;

/** A model file is missing, unreadable or not a model of the expected contract. */
public final class ModelLoadException extends RuntimeException {
  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }

  public ModelLoadException(String message) {
    super(message);
  }
}
