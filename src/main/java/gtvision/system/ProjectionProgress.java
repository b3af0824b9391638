package gtvision.system;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How far every projection of camera events is behind the journal, from the offset store and the journal
 * (so the whole cluster's projections, whichever node runs each slice): per projection the events tagged
 * for its slices after their stored offsets, and how old the oldest of those is. The per-node gauge
 * {@code gtv_projection_lag_seconds} only sees the slices that run on the node that is scraped.
 */
public final class ProjectionProgress {
  /** Counting stops here: beyond it the number says "far behind" as well as an exact one would. */
  public static final int COUNT_LIMIT = 100_000;

  /**
   * {@code eventsBehind}: events not yet processed over all slices (at most {@link #COUNT_LIMIT} per slice,
   * {@code capped} when a slice reached it); {@code lagSeconds}: age of the oldest of them (0: none
   * behind); {@code lastStored}: when a slice last stored its offset.
   */
  public record View(String name, int slices, long eventsBehind, boolean capped, double lagSeconds, Instant lastStored) {}

  private ProjectionProgress() {}

  // Quoted lower-case names: the H2 schema's and H2 dialect's, and what PostgreSQL folds unquoted ones to.
  private static final String OFFSETS = "SELECT \"projection_name\", \"projection_key\", \"current_offset\", \"manifest\", \"last_updated\" "
      + "FROM \"pekko_projection_offset_store\" ORDER BY \"projection_name\", \"projection_key\"";
  private static final String BEHIND = "SELECT count(*) FROM (SELECT 1 FROM \"event_tag\" WHERE \"tag\" = ? AND \"event_id\" > ? LIMIT "
      + COUNT_LIMIT + ") behind";
  private static final String OLDEST = "SELECT j.\"write_timestamp\" FROM \"event_journal\" j WHERE j.\"ordering\" = "
      + "(SELECT min(t.\"event_id\") FROM \"event_tag\" t WHERE t.\"tag\" = ? AND t.\"event_id\" > ?)";
  /** The offset type of the journal's eventsByTag (pekko.persistence.query.Sequence). */
  private static final String SEQUENCE = "SEQ";

  public static List<View> read(Connection connection, Instant now) throws SQLException {
    record Slice(String name, String tag, long offset, long lastUpdated) {}
    List<Slice> slices = new ArrayList<>();
    try (PreparedStatement s = connection.prepareStatement(OFFSETS); ResultSet r = s.executeQuery()) {
      while (r.next()) {
        if (!SEQUENCE.equals(r.getString(4))) continue;
        slices.add(new Slice(r.getString(1), r.getString(2), Long.parseLong(r.getString(3).trim()), r.getLong(5)));
      }
    }
    Map<String, View> views = new LinkedHashMap<>();
    try (PreparedStatement behind = connection.prepareStatement(BEHIND); PreparedStatement oldest = connection.prepareStatement(OLDEST)) {
      for (Slice slice : slices) {
        long count = single(behind, slice.tag(), slice.offset());
        long oldestAt = count == 0 ? 0 : single(oldest, slice.tag(), slice.offset());
        double lag = count == 0 || oldestAt == 0 ? 0 : Math.max(0, now.toEpochMilli() - oldestAt) / 1000.0;
        View v = new View(slice.name(), 1, count, count >= COUNT_LIMIT, lag, Instant.ofEpochMilli(slice.lastUpdated()));
        views.merge(slice.name(), v, (a, b) -> new View(a.name(), a.slices() + 1, a.eventsBehind() + b.eventsBehind(),
            a.capped() || b.capped(), Math.max(a.lagSeconds(), b.lagSeconds()),
            a.lastStored().isAfter(b.lastStored()) ? a.lastStored() : b.lastStored()));
      }
    }
    return List.copyOf(views.values());
  }

  private static long single(PreparedStatement statement, String tag, long offset) throws SQLException {
    statement.setString(1, tag);
    statement.setLong(2, offset);
    try (ResultSet r = statement.executeQuery()) {
      return r.next() ? r.getLong(1) : 0;
    }
  }
}
