package gtvision;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import gtvision.persistence.DatabaseSettings;
import java.util.Arrays;
import java.util.List;

/**
 * Loads application.conf (with its environment overrides) and derives the settings HOCON cannot
 * express by itself: the database driver and journal profile for GTV_DB, and list-valued
 * settings given as comma-separated environment variables.
 */
public final class NodeConfig {
  private NodeConfig() {}

  public static Config load() {
    return load(ConfigFactory.empty());
  }

  /** The configuration with {@code overrides} on top (tests and tools use them). */
  public static Config load(Config overrides) {
    Config base = overrides.withFallback(ConfigFactory.load());
    Config derived = DatabaseSettings.from(base).pekkoOverrides();
    List<String> roles = commaList(base.getString("gtv.cluster.roles"));
    if (!roles.isEmpty()) derived = derived.withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(roles));
    List<String> seeds = commaList(base.getString("gtv.cluster.seed-nodes"));
    if (!seeds.isEmpty()) {
      derived = derived.withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds));
    }
    return derived.withFallback(base);
  }

  private static List<String> commaList(String value) {
    return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }
}
