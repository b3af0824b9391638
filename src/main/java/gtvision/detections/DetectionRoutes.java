package gtvision.detections;

import gtvision.camera.CameraValidator;
import gtvision.camera.RecordedDetection;
import gtvision.evidence.BoxPainter;
import gtvision.evidence.EvidenceStore;
import gtvision.http.ApiError;
import gtvision.http.ApiErrors;
import gtvision.http.Json;
import gtvision.http.KeysetPage;
import gtvision.http.QueryParams;
import gtvision.persistence.Database;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
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
 * {@code /api/detections}: search the read side, fetch one detection and its evidence frame.
 */
public final class DetectionRoutes extends AllDirectives {
  private static final ContentType JPEG = MediaTypes.IMAGE_JPEG.toContentType();
  private final Database database;
  private final EvidenceStore evidence;
  private final Json json;
  private final DetectionsSettings settings;
  private final Executor blocking;

  public DetectionRoutes(ActorSystem<?> system, Database database, EvidenceStore evidence, DetectionsSettings settings,
      Executor blocking) {
    this.json = Json.get(system);
    this.database = database;
    this.evidence = evidence;
    this.settings = settings;
    this.blocking = blocking;
  }

  public Route route() {
    return pathPrefix("api", () -> pathPrefix("detections", () -> concat(
        pathEndOrSingleSlash(() -> get(this::search)),
        pathPrefix(PathMatchers.segment(), id -> concat(
            pathEndOrSingleSlash(() -> get(() -> withRow(id, row ->
                complete(StatusCodes.OK, DetectionJson.DetectionResponse.of(row), json.marshaller())))),
            path("frame", () -> get(() -> parameterOptional("boxes", boxes -> frame(id, boxes)))))))));
  }

  private Route search() {
    return parameterMap(params -> {
      Object parsed = parse(params);
      if (parsed instanceof HttpResponse bad) return complete(bad);
      DetectionQuery query = (DetectionQuery) parsed;
      // One row more than asked tells whether another page exists.
      DetectionQuery probe = new DetectionQuery(query.cameraId(), query.className(), query.minConfidence(),
          query.from(), query.to(), query.plate(), query.platePrefix(), query.after(), query.limit() + 1);
      return onSuccess(database.run(c -> DetectionTable.page(c, probe)), rows -> {
        KeysetPage<DetectionRow> page =
            KeysetPage.of(rows, query.limit(), last -> DetectionQuery.Cursor.after(last).encode());
        return complete(StatusCodes.OK,
            new DetectionJson.DetectionPage(page.map(DetectionJson.DetectionResponse::of), page.nextCursor()),
            json.marshaller());
      });
    });
  }

  private static final Set<String> PARAMS =
      Set.of("camera", "class", "minConfidence", "from", "to", "plate", "platePrefix", "cursor", "limit");

  /** A query, or the 400 naming the first bad parameter. */
  private Object parse(Map<String, String> p) {
    int limit;
    QueryParams.Range range;
    try {
      QueryParams.onlyKnown(p, PARAMS);
      limit = QueryParams.limit(p, settings.defaultLimit(), settings.maxLimit());
      range = QueryParams.range(p);
    } catch (QueryParams.Invalid e) {
      return e.response();
    }
    Optional<Instant> from = range.from();
    Optional<Instant> to = range.to();
    Optional<Double> minConfidence = Optional.empty();
    if (p.containsKey("minConfidence")) {
      try {
        double v = Double.parseDouble(p.get("minConfidence"));
        if (!(v >= 0 && v <= 1)) throw new NumberFormatException();
        minConfidence = Optional.of(v);
      } catch (NumberFormatException e) {
        return ApiErrors.badRequest("minConfidence", "minConfidence must be a number between 0 and 1");
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
    Optional<String> plate = Optional.ofNullable(p.get("plate")).map(s -> s.toUpperCase(Locale.ROOT));
    if (plate.isPresent() && !RecordedDetection.PLATE_TEXT.matcher(plate.get()).matches()) {
      return ApiErrors.badRequest("plate", "plate is 1..32 letters, digits or '-'");
    }
    Optional<String> platePrefix = Optional.ofNullable(p.get("platePrefix")).map(s -> s.toUpperCase(Locale.ROOT));
    if (platePrefix.isPresent() && !RecordedDetection.PLATE_TEXT.matcher(platePrefix.get()).matches()) {
      return ApiErrors.badRequest("platePrefix", "platePrefix is 1..32 letters, digits or '-'");
    }
    Optional<DetectionQuery.Cursor> after = Optional.empty();
    if (p.containsKey("cursor")) {
      after = DetectionQuery.Cursor.decode(p.get("cursor"));
      if (after.isEmpty()) return ApiErrors.badRequest("cursor", "cursor is not one this API issued");
    }
    return new DetectionQuery(camera, className, minConfidence, from, to, plate, platePrefix, after, limit);
  }

  private Route withRow(String idText, Function<DetectionRow, Route> inner) {
    long id;
    try {
      id = Long.parseLong(idText);
    } catch (NumberFormatException e) {
      return complete(ApiErrors.badRequest("id", "id must be a detection id (an integer)"));
    }
    return onSuccess(database.run(c -> DetectionTable.byId(c, id)), row -> row
        .map(inner)
        .orElseGet(() -> complete(ApiErrors.response(StatusCodes.NOT_FOUND, ApiError.of("detection " + id + " not found")))));
  }

  private Route frame(String idText, Optional<String> boxesParam) {
    if (boxesParam.isPresent() && !boxesParam.get().equals("true") && !boxesParam.get().equals("false")) {
      return complete(ApiErrors.badRequest("boxes", "boxes must be true or false"));
    }
    boolean boxes = boxesParam.map(Boolean::parseBoolean).orElse(false);
    return withRow(idText, row -> {
      if (row.evidenceKey() == null) {
        return complete(ApiErrors.response(StatusCodes.NOT_FOUND, ApiError.of("detection " + row.id() + " has no evidence frame")));
      }
      CompletionStage<Optional<byte[]>> bytes = evidence.get(row.evidenceKey());
      CompletionStage<Optional<byte[]>> picture = boxes ? bytes.thenCompose(found -> found.isEmpty()
          ? CompletableFuture.completedFuture(found)
          : frameBoxes(row).thenApplyAsync(b -> Optional.of(BoxPainter.draw(found.get(), b)), blocking)) : bytes;
      return onSuccess(picture, found -> found
          .map(jpeg -> complete(HttpResponse.create()
              .withStatus(StatusCodes.OK)
              .addHeader(RawHeader.create("Cache-Control", "private, max-age=3600"))
              .withEntity(HttpEntities.create(JPEG, jpeg))))
          .orElseGet(() -> complete(ApiErrors.response(StatusCodes.NOT_FOUND,
              ApiError.of("the evidence frame of detection " + row.id() + " has expired or was never stored")))));
    });
  }

  /** Every detection of the same frame (same evidence), so the picture shows the whole scene. */
  private CompletionStage<List<BoxPainter.Box>> frameBoxes(DetectionRow row) {
    return database.run(c -> DetectionTable.sameFrame(c, row)).thenApply(rows -> rows.stream()
        .map(r -> new BoxPainter.Box(r.bbox(), BoxPainter.label(r.className(), r.confidence(), r.plate())))
        .toList());
  }
}
