package gtvision.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * N tracked objects for {@code gtv_objects} as the objects projection would have written them over 30
 * days, streamed in with COPY: ids in start order, ~500 cameras of uneven traffic (the busiest has ~10x
 * the median), skewed classes, heavy-tailed dwell (most objects pass in seconds, one in ten stays minutes
 * to days), ~20 % with a plate (half of them from 5,000 regulars who come back), zones on the cameras
 * that have them, a few thousand objects still active at the end. Every {@code timelineEvery}-th object
 * also gets its timeline (started, a zone update when it has zones, ended) in {@code gtv_object_timeline}.
 */
final class EventsData {
  static final int CAMERAS = 500;
  static final List<String> CLASSES = List.of("car", "person", "truck", "bus", "motorcycle", "bicycle", "dog");
  private static final double[] CLASS_SHARE = {0.52, 0.27, 0.08, 0.03, 0.04, 0.05, 0.01};
  static final List<String> ZONES = List.of("gate", "entrance", "exit", "parking", "lane1", "lane2", "loading-dock",
      "crosswalk", "lobby", "fence", "yard", "ramp", "bay1", "bay2", "street", "restricted");
  private static final int REGULAR_PLATES = 5_000;
  private static final int ACTIVE_AT_END = 3_000;
  private static final int FLUSH_BYTES = 1 << 20;

  final long objects;
  final long endMillis;
  final long spanMillis;
  final int timelineEvery;
  private final Random random = new Random(42);
  private final String[] regulars = new String[REGULAR_PLATES];
  /** Plates that were written, a fixed-size uniform sample (reservoir) to query for. */
  final List<String> seenPlates = new ArrayList<>();
  private long platesSeen;
  long active;
  long withPlate;
  long withZones;
  long timelineRows;

  EventsData(long objects, Instant end, long spanMillis, int timelineEvery) {
    this.objects = objects;
    this.endMillis = end.toEpochMilli();
    this.spanMillis = spanMillis;
    this.timelineEvery = timelineEvery;
    for (int i = 0; i < REGULAR_PLATES; i++) regulars[i] = randomPlate();
  }

  static String cameraId(int camera) {
    return "cam-" + camera;
  }

  /** The zones a camera's configuration names: none on a fifth of them, up to four on the others. */
  static List<String> zonesOf(int camera) {
    int count = camera % 5;
    List<String> out = new ArrayList<>(count);
    for (int k = 0; k < count; k++) out.add(ZONES.get((camera * 7 + k * 3) % ZONES.size()));
    return out;
  }

  /** Streams every row in; {@code objectsDb} and {@code timelineDb} are two connections (one COPY each). */
  void load(Connection objectsDb, Connection timelineDb) throws SQLException, IOException {
    CopyIn rows = objectsDb.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY gtv_objects (id, camera_id, track_id, "
        + "class_name, started_at, last_seen, ended_at, duration_ms, plate, zones, still, best_frame_sequence, "
        + "best_captured_at, best_confidence, best_x1, best_y1, best_x2, best_y2, best_evidence_key, end_reason) FROM STDIN");
    CopyIn timeline = timelineDb.unwrap(PGConnection.class).getCopyAPI().copyIn(
        "COPY gtv_object_timeline (camera_id, track_id, at, kind, detail) FROM STDIN");
    long[] nextTrack = new long[CAMERAS];
    long startMillis = endMillis - spanMillis;
    // The last six hours hold the objects still active at the end (parked cars, people at a desk).
    double activeShare = Math.min(1.0, ACTIVE_AT_END / (objects * (6 * 3_600_000.0 / spanMillis)));
    StringBuilder row = new StringBuilder(FLUSH_BYTES + 4096);
    StringBuilder events = new StringBuilder(FLUSH_BYTES + 4096);
    try {
      for (long i = 0; i < objects; i++) {
        long id = i + 1;
        long started = startMillis + (long) (i * (double) spanMillis / objects) + random.nextInt(1000);
        int camera = Math.min(CAMERAS - 1, (int) (CAMERAS * Math.pow(random.nextDouble(), 1.5)));
        String cls = className();
        long track = ++nextTrack[camera];
        long dwell = dwell();
        boolean isActive = started + dwell > endMillis
            || started > endMillis - 6 * 3_600_000L && random.nextDouble() < activeShare;
        long lastSeen = isActive ? Math.max(started, Math.min(endMillis, started + dwell) - random.nextInt(30_000))
            : started + dwell;
        String plate = vehicle(cls) && random.nextDouble() < 0.30 ? plate() : null;
        List<String> zones = zones(camera);
        double confidence = 0.5 + random.nextInt(50) / 100.0;
        double x1 = random.nextInt(1600);
        double y1 = random.nextInt(800);
        String evidence = random.nextDouble() < 0.6 ? "objects/" + cameraId(camera) + "/" + track + ".jpg" : null;
        if (isActive) active++;
        if (plate != null) withPlate++;
        if (!zones.isEmpty()) withZones++;
        row.append(id).append('\t').append(cameraId(camera)).append('\t').append(track).append('\t').append(cls)
            .append('\t').append(started).append('\t').append(lastSeen).append('\t')
            .append(isActive ? "\\N" : Long.toString(lastSeen)).append('\t').append(lastSeen - started).append('\t')
            .append(plate == null ? "\\N" : plate).append('\t').append(zones.isEmpty() ? "" : "," + String.join(",", zones) + ",")
            .append('\t').append(dwell > 600_000 && !cls.equals("person") ? 't' : 'f').append('\t').append(started / 100)
            .append('\t').append(started + (lastSeen - started) / 2).append('\t').append(confidence).append('\t')
            .append(x1).append('\t').append(y1).append('\t').append(x1 + 40 + random.nextInt(280)).append('\t')
            .append(y1 + 40 + random.nextInt(280)).append('\t').append(evidence == null ? "\\N" : evidence).append('\t')
            .append(isActive ? "\\N" : random.nextDouble() < 0.8 ? "lost" : "timeout").append('\n');
        if (timelineEvery > 0 && id % timelineEvery == 0) {
          timeline(events, camera, track, cls, started, lastSeen, isActive, zones, plate);
        }
        if (row.length() >= FLUSH_BYTES) flush(rows, row);
        if (events.length() >= FLUSH_BYTES) flush(timeline, events);
      }
      flush(rows, row);
      flush(timeline, events);
      rows.endCopy();
      timeline.endCopy();
    } finally {
      if (rows.isActive()) rows.cancelCopy();
      if (timeline.isActive()) timeline.cancelCopy();
    }
  }

  private void timeline(StringBuilder out, int camera, long track, String cls, long started, long lastSeen,
      boolean isActive, List<String> zones, String plate) {
    String head = "{\"version\":1,\"type\":\"object\",\"event\":\"";
    String who = "\",\"cameraId\":\"" + cameraId(camera) + "\",\"trackId\":" + track + ",\"class\":\"" + cls + "\"";
    String zoneList = zones.isEmpty() ? "[]" : "[\"" + String.join("\",\"", zones) + "\"]";
    String best = ",\"best\":{\"frameSequence\":" + started / 100 + ",\"capturedAt\":\"" + Instant.ofEpochMilli(started)
        + "\",\"class\":\"" + cls + "\",\"confidence\":0.81,\"bbox\":[412.0,220.0,640.0,515.0],\"plate\":"
        + (plate == null ? "null" : "\"" + plate + "\"") + "}";
    entry(out, camera, track, started, "started", head + "started" + who + ",\"startedAt\":\"" + Instant.ofEpochMilli(started)
        + "\",\"seenAt\":\"" + Instant.ofEpochMilli(started) + "\",\"box\":[412.0,220.0,640.0,515.0],\"still\":false,\"zones\":"
        + zoneList + best + "}");
    if (!zones.isEmpty()) {
      long at = started + (lastSeen - started) / 3;
      entry(out, camera, track, at, "updated", head + "updated" + who + ",\"seenAt\":\"" + Instant.ofEpochMilli(at)
          + "\",\"reasons\":[\"zones\"],\"still\":false,\"zones\":" + zoneList + best + "}");
    }
    if (!isActive) {
      entry(out, camera, track, lastSeen, "ended", head + "ended" + who + ",\"startedAt\":\"" + Instant.ofEpochMilli(started)
          + "\",\"seenAt\":\"" + Instant.ofEpochMilli(lastSeen) + "\",\"endedAt\":\"" + Instant.ofEpochMilli(lastSeen)
          + "\",\"dwellMillis\":" + (lastSeen - started) + best + ",\"path\":[{\"at\":\"" + Instant.ofEpochMilli(started)
          + "\",\"x\":526.0,\"y\":367.5},{\"at\":\"" + Instant.ofEpochMilli(lastSeen) + "\",\"x\":880.0,\"y\":402.0}],"
          + "\"reason\":\"lost\"}");
    }
  }

  private void entry(StringBuilder out, int camera, long track, long at, String kind, String json) {
    out.append(cameraId(camera)).append('\t').append(track).append('\t').append(at).append('\t').append(kind)
        .append('\t').append(json).append('\n');
    timelineRows++;
  }

  private static void flush(CopyIn copy, StringBuilder text) throws SQLException {
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    copy.writeToCopy(bytes, 0, bytes.length);
    text.setLength(0);
  }

  private String className() {
    double u = random.nextDouble();
    for (int k = 0; k < CLASS_SHARE.length; k++) {
      u -= CLASS_SHARE[k];
      if (u < 0) return CLASSES.get(k);
    }
    return CLASSES.get(0);
  }

  static boolean vehicle(String cls) {
    return cls.equals("car") || cls.equals("truck") || cls.equals("bus") || cls.equals("motorcycle");
  }

  /** Milliseconds: 90 % pass (Pareto from 1.5 s, capped at 2 h), 10 % stay (log-normal around 15 min, up to 3 days). */
  private long dwell() {
    if (random.nextDouble() < 0.9) {
      return (long) Math.min(7_200_000.0, 1_500.0 / Math.pow(1 - random.nextDouble(), 1 / 1.3));
    }
    return (long) Math.min(3 * 86_400_000.0, 900_000.0 * Math.exp(1.3 * random.nextGaussian()));
  }

  private String plate() {
    // Regulars come back with a skew (a few daily commuters, many occasional visitors).
    String plate = random.nextBoolean() ? regulars[(int) (REGULAR_PLATES * Math.pow(random.nextDouble(), 2))] : randomPlate();
    platesSeen++;
    if (seenPlates.size() < 2_000) seenPlates.add(plate);
    else if (random.nextLong(platesSeen) < 2_000) seenPlates.set(random.nextInt(2_000), plate);
    return plate;
  }

  String regular(Random r) {
    return regulars[(int) (REGULAR_PLATES * Math.pow(r.nextDouble(), 2))];
  }

  String randomPlate() {
    return "" + (char) ('A' + random.nextInt(26)) + (char) ('A' + random.nextInt(26)) + (char) ('A' + random.nextInt(26))
        + String.format("%04d", random.nextInt(10_000));
  }

  private List<String> zones(int camera) {
    List<String> own = zonesOf(camera);
    if (own.isEmpty() || random.nextDouble() >= 0.35) return List.of();
    String first = own.get(random.nextInt(own.size()));
    if (own.size() == 1 || random.nextDouble() < 0.7) return List.of(first);
    String second = own.get(random.nextInt(own.size()));
    return second.equals(first) ? List.of(first) : List.of(first, second);
  }
}
