package gtvision.camera;

import com.typesafe.config.Config;
import gtvision.camera.CameraJson.CameraPage;
import gtvision.camera.CameraJson.CameraRequest;
import gtvision.camera.CameraJson.CameraResponse;
import gtvision.http.ApiError;
import gtvision.http.ApiErrors;
import gtvision.http.Json;
import gtvision.http.KeysetPage;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code /api/cameras}: register, list, inspect, update, enable, disable and remove cameras. */
public final class CameraRoutes extends AllDirectives {
  private final Cameras cameras;
  private final long maxJsonBytes;
  private final int defaultPageSize;
  private final int maxPageSize;
  private final Json json;

  /** The camera routes with the node's JSON and the page and body limits of {@code gtv.http}. */
  public static CameraRoutes create(ActorSystem<?> system, Cameras cameras) {
    Config http = system.settings().config().getConfig("gtv.http");
    return new CameraRoutes(cameras, http.getBytes("max-json-body"), http.getInt("default-page-size"),
        http.getInt("max-page-size"), Json.get(system));
  }

  public CameraRoutes(Cameras cameras, long maxJsonBytes, int defaultPageSize, int maxPageSize, Json json) {
    this.cameras = cameras;
    this.json = json;
    this.maxJsonBytes = maxJsonBytes;
    this.defaultPageSize = defaultPageSize;
    this.maxPageSize = maxPageSize;
  }

  public Route route() {
    return pathPrefix("api", () -> pathPrefix("cameras", () -> withSizeLimit(maxJsonBytes, () -> concat(
        pathEndOrSingleSlash(() -> concat(
            get(this::list),
            post(this::register))),
        pathPrefix(PathMatchers.segment(), id -> concat(
            pathEndOrSingleSlash(() -> concat(
                get(() -> reply(cameras.get(id), StatusCodes.OK)),
                put(() -> update(id)),
                delete(() -> onSuccess(cameras.remove(id), r -> r instanceof CameraEntity.Accepted
                    ? complete(StatusCodes.NO_CONTENT)
                    : complete(rejection(r)))))),
            path("enable", () -> post(() -> reply(cameras.enable(id), StatusCodes.OK))),
            path("disable", () -> post(() -> reply(cameras.disable(id), StatusCodes.OK)))))))));
  }

  private Route register() {
    return entity(json.unmarshaller(CameraRequest.class), request -> {
      if (request.id() == null) return complete(ApiErrors.badRequest("id", "id is required"));
      return reply(cameras.register(request.id(), request.toSpec()), StatusCodes.CREATED);
    });
  }

  private Route update(String id) {
    return entity(json.unmarshaller(CameraRequest.class), request -> {
      if (request.id() != null && !request.id().equals(id)) {
        return complete(ApiErrors.badRequest("id", "id in the body does not match the path"));
      }
      return reply(cameras.update(id, request.toSpec()), StatusCodes.OK);
    });
  }

  private Route list() {
    return parameterOptional("limit", limitParam -> parameterOptional("cursor", cursorParam ->
        parameterOptional("status", status -> {
          Optional<Integer> limit = parseLimit(limitParam);
          if (limit.isEmpty()) {
            return complete(ApiErrors.badRequest("limit", "limit must be an integer between 1 and " + maxPageSize));
          }
          Optional<Optional<String>> after = decodeCursor(cursorParam);
          if (after.isEmpty()) return complete(ApiErrors.badRequest("cursor", "cursor is not one this API issued"));
          int size = limit.get();
          // One row more than asked tells whether another page exists.
          CompletionStage<List<CameraRow>> rows = cameras.page(after.get(), status, size + 1);
          return onSuccess(rows, found -> {
            KeysetPage<CameraRow> page = KeysetPage.of(found, size, last -> encodeCursor(last.id()));
            return complete(StatusCodes.OK, new CameraPage(page.items(), page.nextCursor()), json.marshaller());
          });
        })));
  }

  private Optional<Integer> parseLimit(Optional<String> param) {
    if (param.isEmpty()) return Optional.of(defaultPageSize);
    try {
      int value = Integer.parseInt(param.get());
      return value >= 1 && value <= maxPageSize ? Optional.of(value) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  static String encodeCursor(String lastId) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(lastId.getBytes(StandardCharsets.UTF_8));
  }

  /** Empty outer optional: a cursor we did not issue. Empty inner: the first page. */
  static Optional<Optional<String>> decodeCursor(Optional<String> cursor) {
    if (cursor.isEmpty()) return Optional.of(Optional.empty());
    try {
      String id = new String(Base64.getUrlDecoder().decode(cursor.get()), StandardCharsets.UTF_8);
      return gtvision.camera.CameraValidator.ID.matcher(id).matches() ? Optional.of(Optional.of(id)) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private Route reply(CompletionStage<CameraEntity.Reply> reply, StatusCode success) {
    return onSuccess(reply, r -> {
      if (r instanceof CameraEntity.Accepted accepted) {
        return complete(success, CameraResponse.of(accepted.state()), json.marshaller());
      }
      return complete(rejection(r));
    });
  }

  private static HttpResponse rejection(CameraEntity.Reply reply) {
    CameraEntity.Rejected rejected = (CameraEntity.Rejected) reply;
    StatusCode status = switch (rejected.kind()) {
      case INVALID -> StatusCodes.BAD_REQUEST;
      case NOT_FOUND -> StatusCodes.NOT_FOUND;
      case CONFLICT -> StatusCodes.CONFLICT;
    };
    return ApiErrors.response(status, new ApiError(rejected.message(), rejected.field()));
  }
}
