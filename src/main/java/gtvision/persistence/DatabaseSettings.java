package gtvision.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Which database backs the journal, the snapshots and the read side: an embedded H2 file under the
 * data directory (so a laptop needs no server) or PostgreSQL (production and CI).
 */
public record DatabaseSettings(Kind kind, String url, String user, String password, int poolSize, boolean createSchema) {

  public enum Kind {
    H2("org.h2.Driver", "slick.jdbc.H2Profile$", "h2-dialect"),
    POSTGRES("org.postgresql.Driver", "slick.jdbc.PostgresProfile$", "postgres-dialect");

    final String driver;
    final String slickProfile;
    final String projectionDialect;

    Kind(String driver, String slickProfile, String projectionDialect) {
      this.driver = driver;
      this.slickProfile = slickProfile;
      this.projectionDialect = projectionDialect;
    }

    public String driver() {
      return driver;
    }
  }

  public static DatabaseSettings from(Config config) {
    Config db = config.getConfig("gtv.db");
    String kindName = db.getString("kind").trim().toLowerCase(Locale.ROOT);
    Kind kind =
        switch (kindName) {
          case "h2" -> Kind.H2;
          case "postgres", "postgresql" -> Kind.POSTGRES;
          default -> throw new IllegalArgumentException(
              "gtv.db.kind (GTV_DB) must be h2 or postgres, not '" + kindName + "'");
        };
    String url = db.getString("url");
    if (url.isBlank()) {
      url =
          kind == Kind.H2
              ? "jdbc:h2:file:" + Path.of(config.getString("gtv.data-dir"), "gtvision").toAbsolutePath()
              : "jdbc:postgresql://127.0.0.1:5432/gtvision";
    }
    if (kind == Kind.POSTGRES && !url.contains("reWriteBatchedInserts")) {
      // Lets the driver turn the journal's batched inserts into multi-row statements.
      url += (url.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
    }
    String user = db.getString("user");
    if (user.isBlank()) user = kind == Kind.H2 ? "sa" : "postgres";
    return new DatabaseSettings(
        kind, url, user, db.getString("password"), db.getInt("pool-size"), db.getBoolean("create-schema"));
  }

  /** The Pekko settings derived from this choice: journal connection and projection dialect. */
  public Config pekkoOverrides() {
    Map<String, Object> values = new HashMap<>();
    String slick = "pekko-persistence-jdbc.shared-databases.slick.";
    values.put(slick + "profile", kind.slickProfile);
    values.put(slick + "db.url", url);
    values.put(slick + "db.user", user);
    values.put(slick + "db.password", password);
    values.put(slick + "db.driver", kind.driver);
    values.put("pekko.projection.jdbc.dialect", kind.projectionDialect);
    return ConfigFactory.parseMap(values);
  }

  @Override
  public String toString() {
    // Never print the password.
    return "DatabaseSettings[" + kind + " " + url + " user=" + user + "]";
  }
}
