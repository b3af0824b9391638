package gtvision.alerts;

import gtvision.camera.CameraValidator;
import gtvision.detections.DetectionQuery;
import gtvision.http.ApiErrors;
import gtvision.http.Json;
import gtvision.http.KeysetPage;
import gtvision.http.QueryParams;
import gtvision.persistence.Database;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code GET /api/alerts}: watch-list alerts, newest first with keyset paging. */
final class AlertRoutes extends AllDirectives {
  private static final Set<String> PARAMS = Set.of("camera", "from", "to", "limit", "cursor");
  private final Database database;
  private final Json json;
  private final int defaultLimit;
  private final int maxLimit;

  AlertRoutes(ActorSystem<?> system, Database database) {
    this.database = database;
    this.json = Json.get(system);
    var c = system.settings().config().getConfig("gtv.alerts.query");
    this.defaultLimit = c.getInt("default-limit");
    this.maxLimit = c.getInt("max-limit");
    if (defaultLimit < 1 || defaultLimit > maxLimit) {
      throw new IllegalArgumentException("gtv.alerts.query.default-limit must be in 1..max-limit, not " + defaultLimit);
    }
  }

  Route route() {
    return pathPrefix("api", () -> path("alerts", () -> get(() -> parameterMap(params -> {
      Object parsed = parse(params);
      if (parsed instanceof HttpResponse bad) return complete(bad);
      AlertQuery query = (AlertQuery) parsed;
      // One row more than asked tells whether another page exists.
      return onSuccess(database.run(c -> AlertTable.page(c, query.withLimit(query.limit() + 1))), rows -> {
        KeysetPage<AlertRow> page = KeysetPage.of(rows, query.limit(), last -> AlertQuery.after(last).encode());
        return complete(StatusCodes.OK,
            new AlertJson.AlertPage(page.map(AlertJson.AlertResponse::of), page.nextCursor()), json.marshaller());
      });
    }))));
  }

  /** A query, or the 400 naming the first bad parameter. */
  private Object parse(Map<String, String> p) {
    int limit;
    QueryParams.Range range;
    try {
      QueryParams.onlyKnown(p, PARAMS);
      limit = QueryParams.limit(p, defaultLimit, maxLimit);
      range = QueryParams.range(p);
    } catch (QueryParams.Invalid e) {
      return e.response();
    }
    Optional<String> camera = Optional.ofNullable(p.get("camera"));
    if (camera.isPresent() && !CameraValidator.ID.matcher(camera.get()).matches()) {
      return ApiErrors.badRequest("camera", "camera is not a valid camera id");
    }
    Optional<DetectionQuery.Cursor> after = Optional.empty();
    if (p.containsKey("cursor")) {
      after = DetectionQuery.Cursor.decode(p.get("cursor"));
      if (after.isEmpty()) return ApiErrors.badRequest("cursor", "cursor is not one this API issued");
    }
    return new AlertQuery(camera, range.from(), range.to(), after, limit);
  }
}
