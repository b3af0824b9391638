package gtvision.auth;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import gtvision.http.ApiError;
import gtvision.http.ApiErrors;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * MediaMTX's {@code authMethod: http}: for every reader, publisher and API call it posts what it knows
 * (user, password, token, action, path) and lets it through on a 2xx. Readers present the same
 * credentials as to the API: a token or API key (as MediaMTX's {@code token}, or as the password), or
 * a built-in user's name and password. Paths are {@code cam_<id>}.
 */
final class MediaMtxAuth {
  private static final String CAMERA_PATH_PREFIX = "cam_";
  private final Authentication auth;

  /** MediaMTX's request body (fields it may add later are ignored). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Request(String user, String password, String token, String ip, String action, String path, String protocol,
      String id, String query) {}

  record Decision(HttpResponse response) {}

  MediaMtxAuth(Authentication auth) {
    this.auth = auth;
  }

  CompletionStage<Decision> decide(Request r) {
    Optional<Role> needed = needed(r.action());
    if (needed.isEmpty()) return done(StatusCodes.FORBIDDEN, "unknown action");
    return principal(r).thenApply(p -> {
      if (!p.role().allows(needed.get())) {
        return new Decision(ApiErrors.response(StatusCodes.FORBIDDEN, ApiError.of("role " + p.role().wireName() + " may not " + r.action())));
      }
      // A camera's key publishes that camera's path only.
      if (needed.get() == Role.INGEST && !p.mayIngest(cameraOf(r.path()))) {
        return new Decision(ApiErrors.response(StatusCodes.FORBIDDEN, ApiError.of("this key may not publish " + r.path())));
      }
      return new Decision(HttpResponse.create().withStatus(StatusCodes.OK));
    }).exceptionally(e -> {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      int status = cause instanceof AuthFailure f ? f.status() : 503;
      return new Decision(ApiErrors.response(StatusCodes.get(status),
          ApiError.of(cause instanceof AuthFailure ? cause.getMessage() : "authentication is unavailable")));
    });
  }

  /** read and playback: viewers; publish: the camera's ingest key (or an admin); MediaMTX's API and metrics: admins. */
  private static Optional<Role> needed(String action) {
    if (action == null) return Optional.empty();
    return switch (action) {
      case "read", "playback" -> Optional.of(Role.VIEWER);
      case "publish" -> Optional.of(Role.INGEST);
      case "api", "metrics", "pprof" -> Optional.of(Role.ADMIN);
      default -> Optional.empty();
    };
  }

  private CompletionStage<Principal> principal(Request r) {
    if (auth.mode() == AuthSettings.Mode.OFF) return CompletableFuture.completedFuture(Principal.UNAUTHENTICATED_ADMIN);
    if (r.token() != null && !r.token().isBlank()) return auth.authenticate(r.token().strip());
    boolean hasUser = r.user() != null && !r.user().isBlank();
    boolean hasPassword = r.password() != null && !r.password().isEmpty();
    // Clients that can only send Basic credentials put a token or key in the password.
    if (hasPassword && (!hasUser || ApiKeys.looksLikeKey(r.password()))) return auth.authenticate(r.password());
    if (hasUser && hasPassword && auth.mode() == AuthSettings.Mode.BUILTIN) return auth.checkPassword(r.user(), r.password());
    return CompletableFuture.failedFuture(AuthFailure.unauthorized("credentials required"));
  }

  private static String cameraOf(String path) {
    return path != null && path.startsWith(CAMERA_PATH_PREFIX) ? path.substring(CAMERA_PATH_PREFIX.length()) : "";
  }

  private static CompletionStage<Decision> done(org.apache.pekko.http.javadsl.model.StatusCode status, String reason) {
    return CompletableFuture.completedFuture(new Decision(ApiErrors.response(status, ApiError.of(reason))));
  }
}
