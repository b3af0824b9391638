package gtvision.alerts;

import gtvision.camera.CameraEntity;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * SQL for the alerts read side, {@code gtv_alerts}: written only by the alerts projection inside its
 * transaction, read by {@code GET /api/alerts}.
 */
final class AlertTable {
  private static final String COLUMNS = "id, alert_id, camera_id, track_id, plate, entry_id, pattern, label, class_name, "
      + "seen_at, frame_sequence, confidence, x1, y1, x2, y2, evidence_key, raised_at";

  private AlertTable() {}

  /** One row per alert id: an alert seen again (a replayed projection) changes nothing. */
  static void raised(Connection c, CameraEntity.AlertRaised e) throws SQLException {
    try (PreparedStatement exists = c.prepareStatement("SELECT 1 FROM gtv_alerts WHERE alert_id = ?")) {
      exists.setString(1, e.alertId());
      try (ResultSet rs = exists.executeQuery()) {
        if (rs.next()) return;
      }
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO gtv_alerts (alert_id, camera_id, track_id, plate, "
        + "entry_id, pattern, label, class_name, seen_at, frame_sequence, confidence, x1, y1, x2, y2, evidence_key, raised_at) "
        + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
      ps.setString(1, e.alertId());
      ps.setString(2, e.cameraId());
      ps.setLong(3, e.trackId());
      ps.setString(4, e.plate());
      ps.setString(5, e.entryId());
      ps.setString(6, e.pattern());
      ps.setString(7, e.label());
      ps.setString(8, e.className());
      ps.setLong(9, e.frame().capturedAt().toEpochMilli());
      ps.setLong(10, e.frame().frameSequence());
      ps.setDouble(11, e.frame().confidence());
      for (int i = 0; i < 4; i++) ps.setDouble(12 + i, e.frame().bbox().get(i));
      ps.setString(16, e.frame().evidenceKey());
      ps.setLong(17, e.at().toEpochMilli());
      ps.executeUpdate();
    }
  }

  /** Up to {@code q.limit()} alerts matching the filters, newest first, after the cursor. */
  static List<AlertRow> page(Connection c, AlertQuery q) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM gtv_alerts WHERE 1 = 1");
    List<Object> params = new ArrayList<>();
    q.cameraId().ifPresent(v -> add(sql, params, " AND camera_id = ?", v));
    q.from().ifPresent(v -> add(sql, params, " AND seen_at >= ?", v.toEpochMilli()));
    q.to().ifPresent(v -> add(sql, params, " AND seen_at < ?", v.toEpochMilli()));
    q.after().ifPresent(cursor -> {
      sql.append(" AND (seen_at, id) < (?, ?)");
      params.add(cursor.ts());
      params.add(cursor.id());
    });
    sql.append(" ORDER BY seen_at DESC, id DESC LIMIT ").append(q.limit());
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      for (int i = 0; i < params.size(); i++) ps.setObject(i + 1, params.get(i));
      List<AlertRow> rows = new ArrayList<>();
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

  private static AlertRow row(ResultSet rs) throws SQLException {
    return new AlertRow(
        rs.getLong("id"),
        rs.getString("alert_id"),
        rs.getString("camera_id"),
        rs.getLong("track_id"),
        rs.getString("plate"),
        rs.getString("entry_id"),
        rs.getString("pattern"),
        rs.getString("label"),
        rs.getString("class_name"),
        Instant.ofEpochMilli(rs.getLong("seen_at")),
        rs.getLong("frame_sequence"),
        rs.getDouble("confidence"),
        List.of(rs.getDouble("x1"), rs.getDouble("y1"), rs.getDouble("x2"), rs.getDouble("y2")),
        rs.getString("evidence_key"),
        Instant.ofEpochMilli(rs.getLong("raised_at")));
  }
}
