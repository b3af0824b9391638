package gtvision.persistence;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the journal, snapshot and read-side tables (db/&lt;kind&gt;-schema.sql, the same file
 * operators can apply by hand with create-schema off). Every statement is idempotent.
 */
public final class SchemaCreator {
  private static final Logger log = LoggerFactory.getLogger(SchemaCreator.class);

  private SchemaCreator() {}

  public static String scriptResource(DatabaseSettings.Kind kind) {
    return "db/" + kind.name().toLowerCase(Locale.ROOT) + "-schema.sql";
  }

  public static void createIfNotExists(DatabaseSettings settings) {
    List<String> statements = statements(scriptResource(settings.kind()));
    try (Connection connection = DriverManager.getConnection(settings.url(), settings.user(), settings.password());
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        try {
          statement.execute(sql);
        } catch (SQLException e) {
          // Two nodes starting together can race on CREATE ... IF NOT EXISTS; the other one won.
          if (!isAlreadyExists(e)) throw e;
        }
      }
      log.info("Schema ready on {}", settings);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot create the schema on " + settings + ": " + e.getMessage(), e);
    }
  }

  private static boolean isAlreadyExists(SQLException e) {
    String state = e.getSQLState();
    // 42P07 duplicate table, 23505 unique violation on the catalog (PostgreSQL), 42S01/42S11 (H2).
    return "42P07".equals(state) || "23505".equals(state) || "42S01".equals(state) || "42S11".equals(state);
  }

  static List<String> statements(String resource) {
    try (InputStream in = SchemaCreator.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException("Missing schema resource " + resource);
      String script = new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("(?m)^--.*$", "");
      return Arrays.stream(script.split(";")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read " + resource, e);
    }
  }
}
