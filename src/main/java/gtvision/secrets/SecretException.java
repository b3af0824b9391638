package gtvision.secrets;

/** A sealed value that cannot be opened: an unknown key id, a wrong key or a damaged value. */
public final class SecretException extends Exception {
  public SecretException(String message) {
    super(message);
  }
}
