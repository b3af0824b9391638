package gtvision.camera.readside;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import gtvision.camera.CameraConfig;
import gtvision.camera.CameraEntity;
import gtvision.camera.CameraRow;
import gtvision.camera.Cameras;
import gtvision.camera.Location;
import gtvision.persistence.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * SQL for the {@code gtv_cameras} read-side table. Writes come only from the cameras projection
 * (one writer per camera, inside the projection's transaction); reads serve paged lists.
 */
public final class CameraTable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String COLUMNS =
      "id, name, source_url, source_kind, fps, lat, lon, tags, status, created_at, updated_at";

  private CameraTable() {}

  /** Applies one camera event to the table. */
  static void apply(Connection connection, CameraEntity.Event event) throws SQLException {
    if (event instanceof CameraEntity.Registered e) {
      delete(connection, e.cameraId());
      insert(connection, e.cameraId(), e.config(), CameraEntity.Status.REGISTERED, e.at());
    } else if (event instanceof CameraEntity.Updated e) {
      updateConfig(connection, e.cameraId(), e.config(), e.at());
    } else if (event instanceof CameraEntity.Enabled e) {
      updateStatus(connection, e.cameraId(), CameraEntity.Status.ENABLED, e.at());
    } else if (event instanceof CameraEntity.Disabled e) {
      updateStatus(connection, e.cameraId(), CameraEntity.Status.DISABLED, e.at());
    } else if (event instanceof CameraEntity.Removed e) {
      delete(connection, e.cameraId());
    }
  }

  private static void insert(Connection c, String id, CameraConfig config, CameraEntity.Status status, Instant at)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO gtv_cameras (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?)")) {
      ps.setString(1, id);
      int next = bindConfig(ps, 2, config);
      ps.setString(next, wire(status));
      ps.setLong(next + 1, at.toEpochMilli());
      ps.setLong(next + 2, at.toEpochMilli());
      ps.executeUpdate();
    }
  }

  private static void updateConfig(Connection c, String id, CameraConfig config, Instant at) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE gtv_cameras SET name = ?, source_url = ?, source_kind = ?, fps = ?, lat = ?, lon = ?, tags = ?, updated_at = ? WHERE id = ?")) {
      int next = bindConfig(ps, 1, config);
      ps.setLong(next, at.toEpochMilli());
      ps.setString(next + 1, id);
      ps.executeUpdate();
    }
  }

  private static int bindConfig(PreparedStatement ps, int from, CameraConfig config) throws SQLException {
    ps.setString(from, config.name());
    ps.setString(from + 1, config.maskedSourceUrl());
    ps.setString(from + 2, config.sourceKind().wireName());
    ps.setDouble(from + 3, config.fps());
    if (config.location() == null) {
      ps.setNull(from + 4, Types.DOUBLE);
      ps.setNull(from + 5, Types.DOUBLE);
    } else {
      ps.setDouble(from + 4, config.location().lat());
      ps.setDouble(from + 5, config.location().lon());
    }
    ps.setString(from + 6, toJson(config.tags()));
    return from + 7;
  }

  private static void updateStatus(Connection c, String id, CameraEntity.Status status, Instant at) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE gtv_cameras SET status = ?, updated_at = ? WHERE id = ?")) {
      ps.setString(1, wire(status));
      ps.setLong(2, at.toEpochMilli());
      ps.setString(3, id);
      ps.executeUpdate();
    }
  }

  private static void delete(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM gtv_cameras WHERE id = ?")) {
      ps.setString(1, id);
      ps.executeUpdate();
    }
  }

  /** Up to {@code limit} cameras with ids after {@code afterId} (keyset paging: stable under inserts). */
  /** The API's camera listing over this table. */
  public static Cameras.Listing listing(Database database) {
    return new Cameras.Listing() {
      @Override
      public CompletionStage<List<CameraRow>> page(Optional<String> afterId, Optional<String> status, int limit) {
        return database.run(connection -> CameraTable.page(connection, afterId, status, limit));
      }

      @Override
      public CompletionStage<Long> count() {
        return database.run(connection -> {
          try (PreparedStatement ps = connection.prepareStatement("SELECT COUNT(*) FROM gtv_cameras");
              ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
          }
        });
      }
    };
  }

  public static List<CameraRow> page(Connection c, Optional<String> afterId, Optional<String> status, int limit)
      throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM gtv_cameras WHERE 1 = 1");
    List<String> params = new ArrayList<>();
    afterId.ifPresent(id -> {
      sql.append(" AND id > ?");
      params.add(id);
    });
    status.ifPresent(s -> {
      sql.append(" AND status = ?");
      params.add(s);
    });
    sql.append(" ORDER BY id LIMIT ").append(limit);
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      for (int i = 0; i < params.size(); i++) ps.setString(i + 1, params.get(i));
      List<CameraRow> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) rows.add(row(rs));
      }
      return rows;
    }
  }

  /** Number of cameras per lifecycle status (wire names). */
  public static Map<String, Long> countByStatus(Connection c) throws SQLException {
    Map<String, Long> counts = new LinkedHashMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT status, COUNT(*) FROM gtv_cameras GROUP BY status");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) counts.put(rs.getString(1), rs.getLong(2));
    }
    return counts;
  }

  private static CameraRow row(ResultSet rs) throws SQLException {
    double lat = rs.getDouble("lat");
    Location location = rs.wasNull() ? null : new Location(lat, rs.getDouble("lon"));
    return new CameraRow(
        rs.getString("id"),
        rs.getString("name"),
        rs.getString("source_url"),
        rs.getString("source_kind"),
        rs.getDouble("fps"),
        location,
        fromJson(rs.getString("tags")),
        rs.getString("status"),
        Instant.ofEpochMilli(rs.getLong("created_at")),
        Instant.ofEpochMilli(rs.getLong("updated_at")));
  }

  static String wire(CameraEntity.Status status) {
    return status.name().toLowerCase(Locale.ROOT);
  }

  private static String toJson(List<String> tags) {
    try {
      return JSON.writeValueAsString(tags);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static List<String> fromJson(String tags) throws SQLException {
    try {
      return JSON.readValue(tags, new TypeReference<List<String>>() {});
    } catch (JsonProcessingException e) {
      throw new SQLException("Corrupt tags column: " + e.getOriginalMessage(), e);
    }
  }

  /** Which of {@code cameraIds} are registered cameras (the cameras read side). */
  public static Set<String> existingCameras(Connection c, Set<String> cameraIds) throws SQLException {
    if (cameraIds.isEmpty()) return Set.of();
    String marks = String.join(",", Collections.nCopies(cameraIds.size(), "?"));
    try (PreparedStatement ps = c.prepareStatement("SELECT id FROM gtv_cameras WHERE id IN (" + marks + ")")) {
      int i = 1;
      for (String id : cameraIds) ps.setString(i++, id);
      Set<String> found = new HashSet<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) found.add(rs.getString(1));
      }
      return found;
    }
  }
}
