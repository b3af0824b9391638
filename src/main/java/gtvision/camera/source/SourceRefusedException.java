package gtvision.camera.source;

/**
 * A camera source the policy refuses. {@link #reason()} says why in words that never quote a foreign
 * server (safe after a redirect); the message adds the host the client gave.
 */
public final class SourceRefusedException extends Exception {
  private final String reason;
  private final boolean unresolved;

  public SourceRefusedException(String message, String reason) {
    this(message, reason, false);
  }

  public SourceRefusedException(String message, String reason, boolean unresolved) {
    super(message, null, false, false);
    this.reason = reason;
    this.unresolved = unresolved;
  }

  /** The name did not resolve: nothing can be reached through it now; the check repeats at every connect. */
  public boolean unresolved() {
    return unresolved;
  }

  public String reason() {
    return reason;
  }
}
