package gtvision.auth;

/**
 * Why a request's credentials were not accepted: 401 (missing, malformed, forged, expired, revoked),
 * 403 (valid but no role we know) or 503 (the issuer's keys cannot be fetched). The reason is safe to
 * show: it never contains the credential.
 */
public final class AuthFailure extends RuntimeException {
  private final int status;

  public AuthFailure(int status, String reason) {
    super(reason, null, false, false);
    this.status = status;
  }

  public static AuthFailure unauthorized(String reason) {
    return new AuthFailure(401, reason);
  }

  public int status() {
    return status;
  }
}
