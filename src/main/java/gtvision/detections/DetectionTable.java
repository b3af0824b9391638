package gtvision.detections;

import gtvision.camera.CameraEntity;
import gtvision.camera.RecordedDetection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * SQL for the {@code detections} read-side table: one row per detected object. Writes come only from
 * the detections projection (inside its transaction, so rows and offset commit together); reads serve
 * the query API.
 */
public final class DetectionTable {
  static final String COLUMNS = "id, camera_id, frame_sequence, ts, class_name, confidence, x1, y1, x2, y2, "
      + "plate, plate_confidence, provider, evidence_key, recorded_at, track_id";
  private static final String INSERT = "INSERT INTO detections (camera_id, frame_sequence, ts, class_name, confidence, "
      + "x1, y1, x2, y2, plate, plate_confidence, provider, evidence_key, recorded_at, track_id) "
      + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

  private DetectionTable() {}

  /** Adds one row per detection of the events (one batched statement). */
  static void insert(Connection c, List<CameraEntity.DetectionsRecorded> events) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      for (CameraEntity.DetectionsRecorded e : events) for (RecordedDetection d : e.detections()) {
        ps.setString(1, e.cameraId());
        ps.setLong(2, e.frameSequence());
        ps.setLong(3, e.capturedAt().toEpochMilli());
        ps.setString(4, d.className());
        ps.setDouble(5, d.confidence());
        for (int i = 0; i < 4; i++) ps.setDouble(6 + i, d.bbox().get(i));
        ps.setString(10, d.plate());
        if (d.plateConfidence() == null) ps.setNull(11, Types.DOUBLE); else ps.setDouble(11, d.plateConfidence());
        ps.setString(12, e.provider());
        ps.setString(13, e.evidenceKey());
        ps.setLong(14, e.at().toEpochMilli());
        if (d.trackId() == null) ps.setNull(15, Types.BIGINT); else ps.setLong(15, d.trackId());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  public static Optional<DetectionRow> byId(Connection c, long id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM detections WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(row(rs)) : Optional.empty();
      }
    }
  }

  /** The rows recorded from the same frame as {@code row} (they share its evidence key). */
  static List<DetectionRow> sameFrame(Connection c, DetectionRow row) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
        + " FROM detections WHERE camera_id = ? AND ts = ? AND evidence_key = ? ORDER BY id LIMIT 1000")) {
      ps.setString(1, row.cameraId());
      ps.setLong(2, row.timestamp().toEpochMilli());
      ps.setString(3, row.evidenceKey());
      List<DetectionRow> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) rows.add(row(rs));
      }
      return rows;
    }
  }

  /** Up to {@code q.limit()} rows matching the filters, newest first, after the cursor. */
  public static List<DetectionRow> page(Connection c, DetectionQuery q) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM detections WHERE 1 = 1");
    List<Object> params = new ArrayList<>();
    q.cameraId().ifPresent(v -> add(sql, params, " AND camera_id = ?", v));
    q.className().ifPresent(v -> add(sql, params, " AND class_name = ?", v));
    q.minConfidence().ifPresent(v -> add(sql, params, " AND confidence >= ?", v));
    q.from().ifPresent(v -> add(sql, params, " AND ts >= ?", v.toEpochMilli()));
    q.to().ifPresent(v -> add(sql, params, " AND ts < ?", v.toEpochMilli()));
    q.plate().ifPresent(v -> add(sql, params, " AND plate = ?", v));
    // Plates are [A-Z0-9-] (validated), so the prefix needs no LIKE escaping; the plate index serves it.
    q.platePrefix().ifPresent(v -> add(sql, params, " AND plate LIKE ?", v + "%"));
    q.after().ifPresent(cursor -> {
      // Row-value comparison: one range scan on the (…, ts DESC, id DESC) indexes.
      sql.append(" AND (ts, id) < (?, ?)");
      params.add(cursor.ts());
      params.add(cursor.id());
    });
    sql.append(" ORDER BY ts DESC, id DESC LIMIT ").append(q.limit());
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      for (int i = 0; i < params.size(); i++) ps.setObject(i + 1, params.get(i));
      List<DetectionRow> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) rows.add(row(rs));
      }
      return rows;
    }
  }

  private static void add(StringBuilder sql, List<Object> params, String clause, Object value) {
    sql.append(clause);
    params.add(value);
  }

  private static DetectionRow row(ResultSet rs) throws SQLException {
    double plateConfidence = rs.getDouble("plate_confidence");
    Double pc = rs.wasNull() ? null : plateConfidence;
    return new DetectionRow(
        rs.getLong("id"),
        rs.getString("camera_id"),
        rs.getLong("frame_sequence"),
        Instant.ofEpochMilli(rs.getLong("ts")),
        rs.getString("class_name"),
        rs.getDouble("confidence"),
        List.of(rs.getDouble("x1"), rs.getDouble("y1"), rs.getDouble("x2"), rs.getDouble("y2")),
        rs.getString("plate"),
        pc,
        rs.getString("provider"),
        rs.getString("evidence_key"),
        Instant.ofEpochMilli(rs.getLong("recorded_at")),
        rs.getObject("track_id") == null ? null : rs.getLong("track_id"));
  }
}
