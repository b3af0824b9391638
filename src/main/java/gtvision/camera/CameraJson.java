package gtvision.camera;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import gtvision.SourceUrls;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** Request and response bodies of the camera API. Source URLs are always shown masked. */
final class CameraJson {
  private CameraJson() {}

  /** The body of POST and PUT. Read-only fields of a GET response are accepted and ignored. */
  @JsonIgnoreProperties(value = {"status", "health", "counters", "lastDetections", "createdAt", "updatedAt"})
  record CameraRequest(
      String id,
      String name,
      String sourceUrl,
      String sourceKind,
      Double fps,
      LocationRequest location,
      List<String> tags,
      Boolean enabled,
      List<List<List<Double>>> motionMask,
      AnalysisOptions analysis,
      List<Zone> zones,
      List<CountLine> lines) {

    CameraSpec toSpec() {
      Location loc = location == null ? null : new Location(location.lat(), location.lon());
      return new CameraSpec(name, sourceUrl, sourceKind, fps, loc, tags, enabled, motionMask, analysis, zones, lines);
    }
  }

  /** Both coordinates are required: a missing one must not silently become 0. */
  record LocationRequest(double lat, double lon) {
    @JsonCreator
    LocationRequest(
        @JsonProperty(value = "lat", required = true) Double lat,
        @JsonProperty(value = "lon", required = true) Double lon) {
      this(lat.doubleValue(), lon.doubleValue());
    }
  }

  /** Full state inspection of one camera. */
  record CameraResponse(
      String id,
      String name,
      String sourceUrl,
      String sourceKind,
      double fps,
      Location location,
      List<String> tags,
      List<List<List<Double>>> motionMask,
      AnalysisOptions analysis,
      List<Zone> zones,
      List<CountLine> lines,
      boolean enabled,
      String status,
      StreamHealth health,
      CameraCounters counters,
      List<RecordedDetection> lastDetections,
      Instant createdAt,
      Instant updatedAt) {

    static CameraResponse of(CameraEntity.State state) {
      var config = state.config();
      StreamHealth health = state.health();
      StreamHealth masked =
          new StreamHealth(health.state(), health.measuredFps(), health.lastFrameAt(), health.reconnects(),
              SourceUrls.mask(health.lastError()));
      return new CameraResponse(
          state.cameraId(),
          config.name(),
          config.maskedSourceUrl(),
          config.sourceKind().wireName(),
          config.fps(),
          config.location(),
          config.tags(),
          config.motionMask(),
          config.analysis(),
          config.zones(),
          config.lines(),
          state.enabled(),
          state.status().name().toLowerCase(Locale.ROOT),
          masked,
          state.counters(),
          state.lastDetections(),
          state.createdAt(),
          state.updatedAt());
    }
  }

  /** A page of the camera list: read-side rows (credentials already masked there). */
  record CameraPage(List<CameraRow> items, String nextCursor) {}
}
