package gtvision.auth;

import com.fasterxml.jackson.annotation.JsonInclude;
import gtvision.http.ApiError;
import gtvision.http.ApiErrors;
import gtvision.http.Json;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/auth/...}: login, who am I, live-feed tickets, API keys and built-in users (README,
 * "Authentication and roles"), and the media server's question "may this reader watch this path?".
 * Who may call which of them is the gate's {@link AccessPolicy}.
 */
public final class AuthRoutes extends AllDirectives {
  private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
  private static final Pattern CAMERA_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
  private static final int MAX_KEY_CAMERAS = 500;
  private final Authentication auth;
  private final Json json;
  private final MediaMtxAuth mediaMtx;

  public record Login(String username, String password) {}

  public record Issued(String token, Instant expiresAt, String role) {}

  public record Ticket(String ticket, Instant expiresAt) {}

  public record Me(String name, String role, Set<String> cameras, String mode) {}

  public record NewKeyRequest(String name, String role, List<String> cameras) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record KeyView(String id, String name, String role, Set<String> cameras, String createdBy, Instant createdAt,
      Instant revokedAt, String key) {}

  public record NewUserRequest(String username, String password, String role) {}

  public record UserUpdate(String password, String role) {}

  public record UserView(String username, String role, Instant createdAt) {}

  public record Items<T>(List<T> items) {}

  public AuthRoutes(Authentication auth, Json json) {
    this.auth = auth;
    this.json = json;
    this.mediaMtx = new MediaMtxAuth(auth);
  }

  public Route route() {
    return pathPrefix(PathMatchers.segment("api").slash("auth"), () -> withSizeLimit(64 * 1024, () -> concat(
        path("login", () -> post(() -> entity(json.unmarshaller(Login.class), this::login))),
        path("me", () -> get(() -> caller(p -> complete(StatusCodes.OK,
            new Me(p.name(), p.role().wireName(), p.cameras(), auth.mode().wireName()), json.marshaller())))),
        path("ticket", () -> post(() -> caller(p -> answer(auth.ticket(p).thenApply(t -> new Ticket(t.token(), t.expiresAt())))))),
        path("mediamtx", () -> post(() -> entity(json.unmarshaller(MediaMtxAuth.Request.class),
            r -> onSuccess(mediaMtx.decide(r), decision -> complete(decision.response()))))),
        pathPrefix("keys", () -> concat(
            pathEndOrSingleSlash(() -> concat(
                get(() -> answer(auth.store().keys().thenApply(keys -> new Items<>(keys.stream().map(AuthRoutes::view).toList())))),
                post(() -> caller(p -> entity(json.unmarshaller(NewKeyRequest.class), r -> createKey(p, r)))))),
            path(PathMatchers.segment(), id -> delete(() -> revokeKey(id))))),
        pathPrefix("users", () -> builtinOnly(() -> concat(
            pathEndOrSingleSlash(() -> concat(
                get(() -> answer(auth.store().users().thenApply(users -> new Items<>(users.stream()
                    .map(u -> new UserView(u.username(), u.role().wireName(), Instant.ofEpochMilli(u.createdAt()))).toList())))),
                post(() -> entity(json.unmarshaller(NewUserRequest.class), this::createUser)))),
            path(PathMatchers.segment(), name -> concat(
                put(() -> entity(json.unmarshaller(UserUpdate.class), u -> updateUser(name, u))),
                delete(() -> deleteUser(name))))))))));
  }

  private Route login(Login login) {
    if (login.username() == null || login.username().isBlank()) return complete(ApiErrors.badRequest("username", "username is required"));
    if (login.password() == null || login.password().isEmpty()) return complete(ApiErrors.badRequest("password", "password is required"));
    return answer(auth.login(login.username(), login.password())
        .thenApply(s -> new Issued(s.token().token(), s.token().expiresAt(), s.principal().role().wireName())));
  }

  private Route createKey(Principal creator, NewKeyRequest request) {
    if (request.name() == null || request.name().isBlank() || request.name().length() > 100) {
      return complete(ApiErrors.badRequest("name", "name is required, at most 100 characters"));
    }
    Optional<Role> role = Role.parse(request.role());
    if (role.isEmpty()) return complete(ApiErrors.badRequest("role", "role must be viewer, operator, admin or ingest"));
    Set<String> cameras = new TreeSet<>(request.cameras() == null ? List.of() : request.cameras());
    if (role.get() == Role.INGEST && cameras.isEmpty()) {
      return complete(ApiErrors.badRequest("cameras", "an ingest key names its cameras, or [\"*\"] for all"));
    }
    if (role.get() != Role.INGEST && !cameras.isEmpty()) {
      return complete(ApiErrors.badRequest("cameras", "only ingest keys are limited to cameras"));
    }
    if (cameras.size() > MAX_KEY_CAMERAS) return complete(ApiErrors.badRequest("cameras", "at most " + MAX_KEY_CAMERAS + " cameras"));
    for (String c : cameras) {
      if (!c.equals(Principal.ALL_CAMERAS) && !CAMERA_ID.matcher(c).matches()) {
        return complete(ApiErrors.badRequest("cameras", "not a camera id: " + c));
      }
    }
    if (role.get() != Role.INGEST) cameras = Set.of(Principal.ALL_CAMERAS);
    ApiKeys.NewKey key = auth.apiKeys().create();
    long now = auth.clock().millis();
    AuthStore.ApiKey row = new AuthStore.ApiKey(key.id(), request.name().strip(), role.get(), cameras, key.hash(),
        creator.name(), now, Optional.empty());
    return onSuccess(auth.store().createKey(row), done -> {
      KeyView view = view(row);
      return complete(StatusCodes.CREATED, new KeyView(view.id(), view.name(), view.role(), view.cameras(), view.createdBy(),
          view.createdAt(), null, key.key()), json.marshaller());
    });
  }

  private Route revokeKey(String id) {
    return onSuccess(auth.store().revokeKey(id, auth.clock().millis()), revoked -> {
      auth.forgetKey(id);
      return revoked ? complete(StatusCodes.NO_CONTENT)
          : complete(ApiErrors.response(StatusCodes.NOT_FOUND, ApiError.of("no such key, or revoked already")));
    });
  }

  private Route createUser(NewUserRequest request) {
    if (request.username() == null || !USERNAME.matcher(request.username()).matches()) {
      return complete(ApiErrors.badRequest("username", "username: 1..64 letters, digits, . _ @ -"));
    }
    Optional<Role> role = Role.parse(request.role());
    if (role.isEmpty() || role.get() == Role.INGEST) {
      return complete(ApiErrors.badRequest("role", "role must be viewer, operator or admin (ingest is for API keys)"));
    }
    Optional<Route> weak = weakPassword(request.password());
    if (weak.isPresent()) return weak.get();
    CompletionStage<Boolean> created = CompletableFuture
        .supplyAsync(() -> auth.passwords().hash(request.password().toCharArray()), auth.blocking())
        .thenCompose(hash -> auth.store().createUser(request.username(), hash, role.get(), auth.clock().millis()));
    return onSuccess(created, ok -> ok
        ? complete(StatusCodes.CREATED, new UserView(request.username(), role.get().wireName(), auth.clock().instant()), json.marshaller())
        : complete(ApiErrors.response(StatusCodes.CONFLICT, new ApiError("a user with this name exists", "username"))));
  }

  private Route updateUser(String name, UserUpdate update) {
    Optional<Role> role = Optional.empty();
    if (update.role() != null) {
      role = Role.parse(update.role()).filter(r -> r != Role.INGEST);
      if (role.isEmpty()) return complete(ApiErrors.badRequest("role", "role must be viewer, operator or admin"));
    }
    if (update.password() != null) {
      Optional<Route> weak = weakPassword(update.password());
      if (weak.isPresent()) return weak.get();
    }
    Optional<Role> newRole = role;
    CompletionStage<Optional<String>> hash = update.password() == null ? CompletableFuture.completedFuture(Optional.empty())
        : CompletableFuture.supplyAsync(() -> Optional.of(auth.passwords().hash(update.password().toCharArray())), auth.blocking());
    CompletionStage<Boolean> keepsAnAdmin = newRole.isEmpty() || newRole.get() == Role.ADMIN
        ? CompletableFuture.completedFuture(true)
        : lastAdmin(name).thenApply(last -> !last);
    return onSuccess(keepsAnAdmin, ok -> !ok ? complete(lastAdminConflict())
        : onSuccess(hash.thenCompose(h -> auth.store().updateUser(name, h, newRole, auth.clock().millis())), updated -> updated
            ? onSuccess(auth.store().user(name), u -> complete(StatusCodes.OK, new UserView(name,
                u.map(x -> x.role().wireName()).orElse(null), u.map(x -> Instant.ofEpochMilli(x.createdAt())).orElse(null)), json.marshaller()))
            : complete(ApiErrors.response(StatusCodes.NOT_FOUND, ApiError.of("no such user")))));
  }

  private Route deleteUser(String name) {
    return onSuccess(lastAdmin(name), last -> last ? complete(lastAdminConflict())
        : onSuccess(auth.store().deleteUser(name), deleted -> deleted ? complete(StatusCodes.NO_CONTENT)
            : complete(ApiErrors.response(StatusCodes.NOT_FOUND, ApiError.of("no such user")))));
  }

  /** True when {@code name} is the only admin left (nobody could manage the node after removing it). */
  private CompletionStage<Boolean> lastAdmin(String name) {
    return auth.store().user(name).thenCompose(u -> u.isPresent() && u.get().role() == Role.ADMIN
        ? auth.store().countAdmins().thenApply(n -> n <= 1)
        : CompletableFuture.completedFuture(false));
  }

  private static HttpResponse lastAdminConflict() {
    return ApiErrors.response(StatusCodes.CONFLICT, ApiError.of("the last admin cannot be removed or demoted"));
  }

  private Optional<Route> weakPassword(String password) {
    int min = auth.settings().minPasswordLength();
    if (password == null || password.length() < min || password.length() > 1024) {
      return Optional.of(complete(ApiErrors.badRequest("password", "password: " + min + " to 1024 characters")));
    }
    return Optional.empty();
  }

  private Route builtinOnly(java.util.function.Supplier<Route> inner) {
    if (auth.mode() == AuthSettings.Mode.BUILTIN) return inner.get();
    return complete(ApiErrors.response(StatusCodes.CONFLICT,
        ApiError.of("built-in users are not used in " + auth.mode().wireName() + " mode")));
  }

  private Route caller(java.util.function.Function<Principal, Route> inner) {
    return attribute(AuthGate.CALLER, c -> c.principal().map(inner)
        .orElseGet(() -> complete(ApiErrors.response(StatusCodes.UNAUTHORIZED, ApiError.of("authentication required")))));
  }

  private <T> Route answer(CompletionStage<T> value) {
    return onComplete(value, result -> {
      if (result.isSuccess()) return complete(StatusCodes.OK, result.get(), json.marshaller());
      Throwable e = result.failed().get();
      while (e instanceof CompletionException && e.getCause() != null) e = e.getCause();
      if (e instanceof AuthFailure f) {
        return complete(ApiErrors.response(StatusCodes.get(f.status()), ApiError.of(f.getMessage())));
      }
      throw e instanceof RuntimeException r ? r : new CompletionException(e);
    });
  }

  private static KeyView view(AuthStore.ApiKey key) {
    return new KeyView(key.id(), key.name(), key.role().wireName(), key.cameras(), key.createdBy(),
        Instant.ofEpochMilli(key.createdAt()), key.revokedAt().map(Instant::ofEpochMilli).orElse(null), null);
  }
}
