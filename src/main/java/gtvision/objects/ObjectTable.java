package gtvision.objects;

import gtvision.camera.CameraEntity;
import gtvision.camera.ObjectFrame;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * SQL for the tracked-objects read side: {@code gtv_objects} (one row per object) and
 * {@code gtv_object_timeline} (its events). Writes come only from the objects projection, inside its
 * transaction; reads serve {@code /api/events}.
 */
public final class ObjectTable {
  static final String COLUMNS = "id, camera_id, track_id, class_name, started_at, last_seen, ended_at, duration_ms, "
      + "plate, zones, still, best_frame_sequence, best_captured_at, best_confidence, best_x1, best_y1, best_x2, best_y2, "
      + "best_evidence_key, end_reason";

  private ObjectTable() {}

  static void started(Connection c, CameraEntity.ObjectStarted e) throws SQLException {
    ObjectFrame f = e.frame();
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO gtv_objects (camera_id, track_id, class_name, "
        + "started_at, last_seen, duration_ms, zones, still, best_frame_sequence, best_captured_at, best_confidence, "
        + "best_x1, best_y1, best_x2, best_y2, best_evidence_key, plate) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
      ps.setString(1, e.cameraId());
      ps.setLong(2, e.trackId());
      ps.setString(3, e.className());
      ps.setLong(4, e.startedAt().toEpochMilli());
      ps.setLong(5, f.capturedAt().toEpochMilli());
      ps.setLong(6, Math.max(0, f.capturedAt().toEpochMilli() - e.startedAt().toEpochMilli()));
      ps.setString(7, zones(e.zones()));
      ps.setBoolean(8, false);
      setFrame(ps, 9, f);
      // The vote's choice; events written before plates per object have none, only the frame's read.
      ps.setString(17, e.plate() != null ? e.plate() : f.plate());
      ps.executeUpdate();
    }
  }

  static void updated(Connection c, CameraEntity.ObjectUpdated e) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE gtv_objects SET class_name = ?, zones = ?, still = ?, "
        + "best_frame_sequence = ?, best_captured_at = ?, best_confidence = ?, best_x1 = ?, best_y1 = ?, best_x2 = ?, "
        + "best_y2 = ?, best_evidence_key = ?, last_seen = CASE WHEN last_seen > ? THEN last_seen ELSE ? END, "
        + "duration_ms = CASE WHEN last_seen > ? THEN last_seen ELSE ? END - started_at, "
        + "plate = COALESCE(?, plate) WHERE camera_id = ? AND track_id = ?")) {
      ps.setString(1, e.className());
      ps.setString(2, zones(e.zones()));
      ps.setBoolean(3, e.still());
      setFrame(ps, 4, e.best());
      long seen = e.seenAt().toEpochMilli();
      for (int i = 12; i <= 15; i++) ps.setLong(i, seen);
      ps.setString(16, e.plate());
      ps.setString(17, e.cameraId());
      ps.setLong(18, e.trackId());
      ps.executeUpdate();
    }
  }

  static void ended(Connection c, CameraEntity.ObjectEnded e) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE gtv_objects SET class_name = ?, last_seen = ?, ended_at = ?, "
        + "duration_ms = ?, best_frame_sequence = ?, best_captured_at = ?, best_confidence = ?, best_x1 = ?, best_y1 = ?, "
        + "best_x2 = ?, best_y2 = ?, best_evidence_key = ?, end_reason = ?, plate = COALESCE(?, plate) "
        + "WHERE camera_id = ? AND track_id = ?")) {
      ps.setString(1, e.className());
      ps.setLong(2, e.lastSeen().toEpochMilli());
      ps.setLong(3, e.lastSeen().toEpochMilli());
      ps.setLong(4, e.dwellMillis());
      setFrame(ps, 5, e.best());
      ps.setString(13, e.reason());
      ps.setString(14, e.plate());
      ps.setString(15, e.cameraId());
      ps.setLong(16, e.trackId());
      ps.executeUpdate();
    }
  }

  static void timeline(Connection c, CameraEntity.ObjectEvent e, Instant at, String kind, String detail) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO gtv_object_timeline (camera_id, track_id, at, kind, detail) VALUES (?,?,?,?,?)")) {
      ps.setString(1, e.cameraId());
      ps.setLong(2, e.trackId());
      ps.setLong(3, at.toEpochMilli());
      ps.setString(4, kind);
      ps.setString(5, detail);
      ps.executeUpdate();
    }
  }

  private static void setFrame(PreparedStatement ps, int first, ObjectFrame f) throws SQLException {
    ps.setLong(first, f.frameSequence());
    ps.setLong(first + 1, f.capturedAt().toEpochMilli());
    ps.setDouble(first + 2, f.confidence());
    for (int i = 0; i < 4; i++) ps.setDouble(first + 3 + i, f.bbox().get(i));
    ps.setString(first + 7, f.evidenceKey());
  }

  public static Optional<ObjectRow> byId(Connection c, long id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM gtv_objects WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(row(rs)) : Optional.empty();
      }
    }
  }

  /** An object's events, oldest first: kind, capture time and the event's JSON. */
  record TimelineEntry(String kind, Instant at, String detail) {}

  static List<TimelineEntry> timeline(Connection c, ObjectRow row) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT kind, at, detail FROM gtv_object_timeline "
        + "WHERE camera_id = ? AND track_id = ? ORDER BY id LIMIT 1000")) {
      ps.setString(1, row.cameraId());
      ps.setLong(2, row.trackId());
      List<TimelineEntry> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(new TimelineEntry(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3)));
      }
      return out;
    }
  }

  /** A statement with its parameters in order. */
  record Select(String sql, List<Object> params) {}

  /** Up to {@code q.limit()} objects matching the filters, newest first, after the cursor. */
  public static List<ObjectRow> page(Connection c, ObjectQuery q) throws SQLException {
    Select select = select(q);
    try (PreparedStatement ps = c.prepareStatement(select.sql())) {
      for (int i = 0; i < select.params().size(); i++) ps.setObject(i + 1, select.params().get(i));
      List<ObjectRow> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) rows.add(row(rs));
      }
      return rows;
    }
  }

  /** The page's SELECT (apart from {@link #page}, read by the events benchmark to show its plan). */
  static Select select(ObjectQuery q) {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM gtv_objects WHERE 1 = 1");
    List<Object> params = new ArrayList<>();
    q.cameraId().ifPresent(v -> add(sql, params, " AND camera_id = ?", v));
    q.className().ifPresent(v -> add(sql, params, " AND class_name = ?", v));
    // Zone names are validated to [A-Za-z0-9_-], so they need no LIKE escaping.
    q.zone().ifPresent(v -> add(sql, params, " AND zones LIKE ?", "%," + v + ",%"));
    q.plate().ifPresent(v -> add(sql, params, " AND plate = ?", v));
    q.from().ifPresent(v -> add(sql, params, " AND started_at >= ?", v.toEpochMilli()));
    q.to().ifPresent(v -> add(sql, params, " AND started_at < ?", v.toEpochMilli()));
    q.minDuration().ifPresent(v -> add(sql, params, " AND duration_ms >= ?", v.toMillis()));
    q.after().ifPresent(cursor -> {
      sql.append(" AND (started_at, id) < (?, ?)");
      params.add(cursor.ts());
      params.add(cursor.id());
    });
    sql.append(" ORDER BY started_at DESC, id DESC LIMIT ").append(q.limit());
    return new Select(sql.toString(), params);
  }

  private static void add(StringBuilder sql, List<Object> params, String clause, Object value) {
    sql.append(clause);
    params.add(value);
  }

  static String zones(List<String> zones) {
    return zones.isEmpty() ? "" : "," + String.join(",", zones) + ",";
  }

  private static List<String> zoneList(String stored) {
    return stored == null || stored.isEmpty() ? List.of()
        : Arrays.stream(stored.split(",")).filter(z -> !z.isEmpty()).toList();
  }

  private static ObjectRow row(ResultSet rs) throws SQLException {
    long ended = rs.getLong("ended_at");
    Instant endedAt = rs.wasNull() ? null : Instant.ofEpochMilli(ended);
    return new ObjectRow(
        rs.getLong("id"),
        rs.getString("camera_id"),
        rs.getLong("track_id"),
        rs.getString("class_name"),
        Instant.ofEpochMilli(rs.getLong("started_at")),
        Instant.ofEpochMilli(rs.getLong("last_seen")),
        endedAt,
        rs.getLong("duration_ms"),
        rs.getString("plate"),
        zoneList(rs.getString("zones")),
        rs.getBoolean("still"),
        rs.getLong("best_frame_sequence"),
        Instant.ofEpochMilli(rs.getLong("best_captured_at")),
        rs.getDouble("best_confidence"),
        List.of(rs.getDouble("best_x1"), rs.getDouble("best_y1"), rs.getDouble("best_x2"), rs.getDouble("best_y2")),
        rs.getString("best_evidence_key"),
        rs.getString("end_reason"));
  }
}
