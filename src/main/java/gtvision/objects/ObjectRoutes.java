package gtvision.objects;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import gtvision.camera.CameraValidator;
import gtvision.camera.PlateVote;
import gtvision.camera.RecordedDetection;
import gtvision.detections.DetectionQuery;
import gtvision.evidence.BoxPainter;
import gtvision.evidence.EvidenceStore;
import gtvision.http.ApiError;
import gtvision.http.ApiErrors;
import gtvision.http.Json;
import gtvision.http.KeysetPage;
import gtvision.http.QueryParams;
import gtvision.persistence.Database;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/events}: the cameras' tracked objects, newest first with keyset paging; one object with its
 * timeline; its best frame ({@code boxes=true} draws its box on it).
 */
public final class ObjectRoutes extends AllDirectives {
  private static final ContentType JPEG = MediaTypes.IMAGE_JPEG.toContentType();
  /** What a zone name may look like (zones are named by their camera's configuration). */
  static final Pattern ZONE = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Set<String> PARAMS =
      Set.of("camera", "class", "zone", "plate", "from", "to", "minDuration", "limit", "cursor");
  private final Database database;
  private final EvidenceStore evidence;
  private final Json json;
  private final int defaultLimit;
  private final int maxLimit;
  private final Executor blocking;

  public ObjectRoutes(ActorSystem<?> system, Database database, EvidenceStore evidence, Executor blocking) {
    this.json = Json.get(system);
    this.database = database;
    this.evidence = evidence;
    this.blocking = blocking;
    var c = system.settings().config().getConfig("gtv.events.query");
    this.defaultLimit = c.getInt("default-limit");
    this.maxLimit = c.getInt("max-limit");
    if (defaultLimit < 1 || defaultLimit > maxLimit) {
      throw new IllegalArgumentException("gtv.events.query.default-limit must be in 1..max-limit, not " + defaultLimit);
    }
  }

  public Route route() {
    return pathPrefix("api", () -> pathPrefix("events", () -> concat(
        pathEndOrSingleSlash(() -> get(this::search)),
        pathPrefix(PathMatchers.segment(), id -> concat(
            pathEndOrSingleSlash(() -> get(() -> withRow(id, this::detail))),
            path("frame", () -> get(() -> parameterOptional("boxes", boxes -> frame(id, boxes)))))))));
  }

  private Route search() {
    return parameterMap(params -> {
      Object parsed = parse(params);
      if (parsed instanceof HttpResponse bad) return complete(bad);
      ObjectQuery query = (ObjectQuery) parsed;
      // One row more than asked tells whether another page exists.
      return onSuccess(database.run(c -> ObjectTable.page(c, query.withLimit(query.limit() + 1))), rows -> {
        KeysetPage<ObjectRow> page = KeysetPage.of(rows, query.limit(), last -> ObjectQuery.after(last).encode());
        return complete(StatusCodes.OK,
            new ObjectJson.EventPage(page.map(ObjectJson.EventResponse::of), page.nextCursor()), json.marshaller());
      });
    });
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
    Optional<Instant> from = range.from();
    Optional<Instant> to = range.to();
    Optional<Duration> minDuration = Optional.empty();
    if (p.containsKey("minDuration")) {
      minDuration = duration(p.get("minDuration"));
      if (minDuration.isEmpty()) {
        return ApiErrors.badRequest("minDuration",
            "minDuration must be seconds (e.g. 30) or an ISO-8601 duration (e.g. PT5M), not negative");
      }
    }
    Optional<String> camera = Optional.ofNullable(p.get("camera"));
    if (camera.isPresent() && !CameraValidator.ID.matcher(camera.get()).matches()) {
      return ApiErrors.badRequest("camera", "camera is not a valid camera id");
    }
    Optional<String> className = Optional.ofNullable(p.get("class"));
    if (className.isPresent() && (className.get().isBlank() || className.get().length() > 64)) {
      return ApiErrors.badRequest("class", "class must be 1..64 characters");
    }
    Optional<String> zone = Optional.ofNullable(p.get("zone"));
    if (zone.isPresent() && !ZONE.matcher(zone.get()).matches()) {
      return ApiErrors.badRequest("zone", "zone is 1..64 letters, digits, '_' or '-'");
    }
    Optional<String> plate = Optional.ofNullable(p.get("plate")).map(s -> s.toUpperCase(Locale.ROOT));
    if (plate.isPresent() && !RecordedDetection.PLATE_TEXT.matcher(plate.get()).matches()) {
      return ApiErrors.badRequest("plate", "plate is 1..32 letters, digits or '-'");
    }
    // Objects store their vote's choice, normalised (no dashes): "AB-12" finds the object read as AB12.
    if (plate.isPresent() && PlateVote.normalise(plate.get()) == null) {
      return ApiErrors.badRequest("plate", "plate has no letter or digit");
    }
    plate = plate.map(PlateVote::normalise);
    Optional<DetectionQuery.Cursor> after = Optional.empty();
    if (p.containsKey("cursor")) {
      after = DetectionQuery.Cursor.decode(p.get("cursor"));
      if (after.isEmpty()) return ApiErrors.badRequest("cursor", "cursor is not one this API issued");
    }
    return new ObjectQuery(camera, className, zone, plate, from, to, minDuration, after, limit);
  }

  private static Optional<Duration> duration(String text) {
    try {
      Duration d = text.startsWith("P") || text.startsWith("p")
          ? Duration.parse(text)
          : Duration.ofMillis(Math.round(Double.parseDouble(text) * 1000));
      return d.isNegative() ? Optional.empty() : Optional.of(d);
    } catch (DateTimeParseException | NumberFormatException | ArithmeticException e) {
      return Optional.empty();
    }
  }

  private Route withRow(String idText, Function<ObjectRow, Route> inner) {
    long id;
    try {
      id = Long.parseLong(idText);
    } catch (NumberFormatException e) {
      return complete(ApiErrors.badRequest("id", "id must be an event id (an integer)"));
    }
    return onSuccess(database.run(c -> ObjectTable.byId(c, id)), row -> row
        .map(inner)
        .orElseGet(() -> complete(ApiErrors.response(StatusCodes.NOT_FOUND, ApiError.of("event " + id + " not found")))));
  }

  private Route detail(ObjectRow row) {
    return onSuccess(database.run(c -> ObjectTable.timeline(c, row)), entries -> {
      List<JsonNode> timeline = new ArrayList<>(entries.size());
      for (ObjectTable.TimelineEntry e : entries) {
        try {
          timeline.add(json.mapper().readTree(e.detail()));
        } catch (JsonProcessingException ex) {
          throw new IllegalStateException("timeline entry of event " + row.id() + " is not JSON", ex);
        }
      }
      return complete(StatusCodes.OK, new ObjectJson.EventDetail(ObjectJson.EventResponse.of(row), timeline),
          json.marshaller());
    });
  }

  private Route frame(String idText, Optional<String> boxesParam) {
    if (boxesParam.isPresent() && !boxesParam.get().equals("true") && !boxesParam.get().equals("false")) {
      return complete(ApiErrors.badRequest("boxes", "boxes must be true or false"));
    }
    boolean boxes = boxesParam.map(Boolean::parseBoolean).orElse(false);
    return withRow(idText, row -> {
      if (row.bestEvidenceKey() == null) {
        return complete(ApiErrors.response(StatusCodes.NOT_FOUND, ApiError.of("event " + row.id() + " has no stored best frame")));
      }
      CompletionStage<Optional<byte[]>> bytes = evidence.get(row.bestEvidenceKey());
      List<BoxPainter.Box> drawn = List.of(new BoxPainter.Box(row.bestBox(),
          BoxPainter.label(row.className(), row.bestConfidence(), row.plate())));
      CompletionStage<Optional<byte[]>> picture = boxes ? bytes.thenComposeAsync(found -> found.isEmpty()
          ? CompletableFuture.completedFuture(found)
          : CompletableFuture.completedFuture(Optional.of(BoxPainter.draw(found.get(), drawn))), blocking) : bytes;
      return onSuccess(picture, found -> found
          .map(jpeg -> complete(HttpResponse.create()
              .withStatus(StatusCodes.OK)
              .addHeader(RawHeader.create("Cache-Control", "private, max-age=3600"))
              .withEntity(HttpEntities.create(JPEG, jpeg))))
          .orElseGet(() -> complete(ApiErrors.response(StatusCodes.NOT_FOUND,
              ApiError.of("the best frame of event " + row.id() + " has expired or was never stored")))));
    });
  }
}
