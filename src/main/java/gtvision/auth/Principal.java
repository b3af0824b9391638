package gtvision.auth;

import java.util.Set;

/**
 * Who made a request: a user (built-in or from the OpenID Connect provider), an API key, or nobody in
 * particular when authentication is off.
 *
 * @param name the user name or {@code key:<id>}; the rate-limit bucket and what logs show
 * @param cameras the cameras an ingest key may write ({@code "*"}: all); others ignore it
 */
public record Principal(String name, Role role, Set<String> cameras) {
  public static final String ALL_CAMERAS = "*";

  /** With authentication off every request acts as this. */
  public static final Principal UNAUTHENTICATED_ADMIN = new Principal("anonymous", Role.ADMIN, Set.of(ALL_CAMERAS));

  public Principal {
    cameras = Set.copyOf(cameras);
  }

  public static Principal user(String name, Role role) {
    return new Principal(name, role, Set.of(ALL_CAMERAS));
  }

  /** True when this principal may write detections for {@code cameraId}. */
  public boolean mayIngest(String cameraId) {
    return role.allows(Role.INGEST) && (role == Role.ADMIN || cameras.contains(ALL_CAMERAS) || cameras.contains(cameraId));
  }
}
