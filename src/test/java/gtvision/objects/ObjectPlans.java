package gtvision.objects;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** PostgreSQL's executed plan of the events page query, for the events benchmark's report. */
public final class ObjectPlans {
  private ObjectPlans() {}

  /** EXPLAIN (ANALYZE, BUFFERS) of exactly the SELECT that {@link ObjectTable#page} runs for {@code q}. */
  public static List<String> explain(Connection c, ObjectQuery q) throws SQLException {
    ObjectTable.Select select = ObjectTable.select(q);
    try (PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + select.sql())) {
      for (int i = 0; i < select.params().size(); i++) ps.setObject(i + 1, select.params().get(i));
      List<String> lines = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) lines.add(rs.getString(1));
      }
      return lines;
    }
  }
}
