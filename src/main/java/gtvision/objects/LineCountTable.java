package gtvision.objects;

import gtvision.camera.CameraEntity;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * SQL for the line-counts read side: {@code gtv_line_counts}, one row per camera, line, class, direction
 * and hour (UTC) with the crossings counted in it. Writes come only from the counts projection, inside its
 * transaction; reads serve {@code /api/counts}.
 */
final class LineCountTable {
  private LineCountTable() {}

  /** What a row counts: its key without the count. */
  record Key(String cameraId, String line, String className, String direction, long bucketStart)
      implements Comparable<Key> {
    static Key of(CameraEntity.LineCrossed e) {
      return new Key(e.cameraId(), e.line(), e.className(), e.direction(),
          e.crossedAt().truncatedTo(ChronoUnit.HOURS).toEpochMilli());
    }

    @Override
    public int compareTo(Key o) {
      return toString().compareTo(o.toString());
    }
  }

  /** A stored count. */
  record Row(String line, String className, String direction, Instant bucketStart, long count) {}

  /**
   * Adds the crossings of one group of events. They are summed per row first, and written in key order,
   * so a group of 500 crossings on one line is one statement, not 500.
   */
  static void add(Connection c, List<CameraEntity.LineCrossed> crossings) throws SQLException {
    Map<Key, Long> sums = new TreeMap<>();
    for (CameraEntity.LineCrossed e : crossings) sums.merge(Key.of(e), 1L, Long::sum);
    // An update, then an insert when no row was there: portable between PostgreSQL and H2. A camera's
    // events all go to one projection slice, so no other writer adds to the same row meanwhile.
    try (PreparedStatement update = c.prepareStatement("UPDATE gtv_line_counts SET crossings = crossings + ? "
        + "WHERE camera_id = ? AND bucket_start = ? AND line = ? AND class_name = ? AND direction = ?");
        PreparedStatement insert = c.prepareStatement("INSERT INTO gtv_line_counts "
            + "(camera_id, bucket_start, line, class_name, direction, crossings) VALUES (?,?,?,?,?,?)")) {
      for (Map.Entry<Key, Long> s : sums.entrySet()) {
        Key k = s.getKey();
        update.setLong(1, s.getValue());
        setKey(update, 2, k);
        if (update.executeUpdate() > 0) continue;
        setKey(insert, 1, k);
        insert.setLong(6, s.getValue());
        insert.executeUpdate();
      }
    }
  }

  private static void setKey(PreparedStatement ps, int first, Key k) throws SQLException {
    ps.setString(first, k.cameraId());
    ps.setLong(first + 1, k.bucketStart());
    ps.setString(first + 2, k.line());
    ps.setString(first + 3, k.className());
    ps.setString(first + 4, k.direction());
  }

  /** A camera's counts with hour buckets starting in [from, to), of one line or all, in bucket order. */
  static List<Row> counts(Connection c, String cameraId, Optional<String> line, Instant from, Instant to)
      throws SQLException {
    String sql = "SELECT line, class_name, direction, bucket_start, crossings FROM gtv_line_counts "
        + "WHERE camera_id = ? AND bucket_start >= ? AND bucket_start < ?" + (line.isPresent() ? " AND line = ?" : "")
        + " ORDER BY bucket_start, line, class_name, direction";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, cameraId);
      ps.setLong(2, from.toEpochMilli());
      ps.setLong(3, to.toEpochMilli());
      if (line.isPresent()) ps.setString(4, line.get());
      List<Row> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4)),
              rs.getLong(5)));
        }
      }
      return rows;
    }
  }
}
